package dev.vramplan.estimate;

import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.TransformerSpec;

/**
 * The output scores a decoder computes in the prompt's forward pass (prefill), by serving code.
 *
 * <p>Hugging Face {@code transformers} generation asks the model for the last position's logits only:
 * {@code GenerationMixin.generate} sets {@code model_kwargs["logits_to_keep"] = 1} when the model supports it
 * (huggingface/transformers src/transformers/generation/utils.py, v4.50; {@code num_logits_to_keep} since v4.45), and
 * {@code LlamaForCausalLM.forward} applies the LM head to {@code hidden_states[:, -logits_to_keep:, :]}; the sampler
 * then takes an fp32 copy of them ({@code outputs.logits[:, -1, :].to(copy=True, dtype=torch.float32)}). vLLM's
 * LogitsProcessor likewise computes logits for the sampled positions only. LitGPT's {@code GPT.forward}
 * (litgpt/model.py) applies {@code lm_head} to every position and {@code generate} keeps {@code logits[0, -1]}: the
 * prompt's full logits exist once.
 */
final class PrefillLogits {
    private PrefillLogits() {}

    static double bytesPerSample(TransformerSpec t, double s, int e, Framework framework) {
        double positions = framework == Framework.LITGPT ? s : 1;
        return e * positions * t.vocab() + 4.0 * t.vocab();
    }
}
