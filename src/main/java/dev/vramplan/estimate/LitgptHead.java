package dev.vramplan.estimate;

import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.TransformerSpec;

/**
 * LitGPT's language models never share the LM head with the token embedding. {@code GPT.__init__} builds
 * {@code lm_head} as its own {@code nn.Linear} beside {@code transformer.wte} (litgpt/model.py); converting a
 * checkpoint that ties them (Gemma, Llama 3.2 1B/3B, Qwen2.5 0.5B) copies the embedding into {@code lm_head.weight}
 * ({@code if "lm_head.weight" not in state_dict: state_dict["lm_head.weight"] = state_dict["transformer.wte.weight"]},
 * litgpt/scripts/convert_hf_checkpoint.py, 31e5fca), and loading a state dict copies each entry into its own
 * parameter. The fine-tuning scripts refuse {@code tie_embeddings} (litgpt/finetune/lora.py, full.py, adapter.py:
 * {@code unsupported}). So under LitGPT a tied model holds vocabulary × hidden parameters more: a second matrix in the
 * precision's weights (quantized with the other linear layers under bitsandbytes, {@link LightningBnb}).
 * Hugging Face {@code transformers} and vLLM keep one tensor for both.
 */
final class LitgptHead {
    private LitgptHead() {}

    /** Parameters {@code framework} holds beyond the catalog's count: LitGPT's own head for a tied decoder. */
    static long extraParams(TransformerSpec t, Framework framework) {
        return framework == Framework.LITGPT && t.kind() == TransformerSpec.Kind.DECODER && t.tiedEmbeddings()
                ? (long) t.vocab() * t.hidden()
                : 0;
    }
}
