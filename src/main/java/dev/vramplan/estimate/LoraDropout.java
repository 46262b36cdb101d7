package dev.vramplan.estimate;

import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.TransformerSpec;

/**
 * What LoRA's dropout keeps for backward: every linear layer that carries an adapter runs its own dropout on its
 * input, and the adapter's first matrix keeps that dropout's output (its weight needs it for its gradient) beside the
 * dropout's 1-byte mask.
 *
 * <p>PEFT: {@code lora.Linear.forward} computes {@code lora_B(lora_A(dropout(x))) * scaling} per wrapped module, after
 * {@code x = self._cast_input_dtype(x, lora_A.weight.dtype)}, so with PEFT's fp32 adapters the kept copy is fp32
 * (huggingface/peft src/peft/tuners/lora/layer.py); how many modules read each input is the model's ({@link
 * Projections}). LitGPT: {@code LoRALinear.forward} computes {@code self.lora_dropout(x) @ self.lora_A.transpose(0, 1)
 * ...} and {@code LoRAQKVLinear} runs one dropout for its fused query/key/value projection (litgpt/lora.py). The frozen base
 * layer itself keeps nothing of its input: PyTorch's matmul keeps its input only for the weight's gradient.
 *
 * <p>When the trainable count is given, which layers carry adapters is not known: the attention input's dropout is
 * counted (LitGPT's default adapters, on query and value, share it) and the base is taken to keep its inputs, so each
 * linear layer's input is counted once, by the base or by a dropout. Otherwise adapters sit on every linear layer of
 * every block, as the estimator assumes for their parameters.
 */
final class LoraDropout {
    private LoraDropout() {}

    /** Elements per token, summed over one block's linear layers whose adapter dropout keeps its input. */
    static double inputsPerToken(Model m, TransformerSpec t, Framework framework, boolean everyLinear) {
        double h = t.hidden();
        if (!everyLinear) {
            return h;
        }
        Projections modules = Projections.of(m, t, framework);
        double q = (double) t.heads() * t.headDim();
        // the inputs: (q, k, v), the merged heads (o), (gate, up) or fc1, and the down projection's
        return (modules.attention() + modules.mlp()) * h + q + t.intermediate();
    }
}
