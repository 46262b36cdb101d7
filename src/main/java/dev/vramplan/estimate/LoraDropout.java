package dev.vramplan.estimate;

import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.TransformerSpec;
import java.util.Set;

/**
 * What LoRA's dropout keeps for backward: every linear layer that carries an adapter runs its own dropout on its
 * input, and the adapter's first matrix keeps that dropout's output (its weight needs it for its gradient) beside the
 * dropout's 1-byte mask.
 *
 * <p>PEFT: {@code lora.Linear.forward} computes {@code lora_B(lora_A(dropout(x))) * scaling} per wrapped module, after
 * {@code x = self._cast_input_dtype(x, lora_A.weight.dtype)}, so with PEFT's fp32 adapters the kept copy is fp32
 * (huggingface/peft src/peft/tuners/lora/layer.py). A model's own code decides how many modules there are: most
 * Hugging Face decoders and BERT project q, k and v separately, Qwen (v1) {@code c_attn}, Falcon
 * {@code query_key_value}, GPT-2 and StarCoder {@code c_attn} and Phi-3 {@code qkv_proj} in one module (Phi-3 also
 * gate and up, {@code gate_up_proj}); LitGPT:
 * {@code LoRALinear.forward} computes {@code self.lora_dropout(x) @ self.lora_A.transpose(0, 1) ...} and
 * {@code LoRAQKVLinear} runs one dropout for its fused query/key/value projection (litgpt/lora.py). The frozen base
 * layer itself keeps nothing of its input: PyTorch's matmul keeps its input only for the weight's gradient.
 *
 * <p>When the trainable count is given, which layers carry adapters is not known: the attention input's dropout is
 * counted (LitGPT's default adapters, on query and value, share it) and the base is taken to keep its inputs, so each
 * linear layer's input is counted once, by the base or by a dropout. Otherwise adapters sit on every linear layer of
 * every block, as the estimator assumes for their parameters.
 */
final class LoraDropout {
    private LoraDropout() {}

    /** Families whose modeling code projects query, key and value in one linear module. */
    private static final Set<String> FUSED_QKV = Set.of("qwen", "falcon", "gpt2", "gpt_bigcode", "phi3");

    /** Families whose modeling code projects a gated MLP's gate and up in one linear module. */
    private static final Set<String> FUSED_GATE_UP = Set.of("phi3");

    /** Elements per token, summed over one block's linear layers whose adapter dropout keeps its input. */
    static double inputsPerToken(Model m, TransformerSpec t, Framework framework, boolean everyLinear) {
        double h = t.hidden();
        if (!everyLinear) {
            return h;
        }
        boolean litgpt = framework == Framework.LITGPT; // LitGPT's own model code: fused qkv, separate fc_1, fc_2
        double q = (double) t.heads() * t.headDim();
        double qkv = litgpt || FUSED_QKV.contains(m.family()) ? h : 3 * h;
        double mlp;
        if (t.gatedMlp()) {
            mlp = (!litgpt && FUSED_GATE_UP.contains(m.family()) ? h : 2 * h) + t.intermediate(); // gate, up; down
        } else {
            mlp = h + t.intermediate(); // fc1; fc2
        }
        return qkv + q + mlp;
    }
}
