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
 * <p>A trainable count says which layers carry adapters when it is exactly rank × the adapters of every linear layer
 * of every block, the LM head's optionally too (LoRA's A and B: r·(in + out) per matrix; LitGPT's {@code lora_head}
 * adds r·(hidden + vocab)): {@link #onEveryLinear}. Any other count leaves it unknown: the attention input's dropout
 * is counted (LitGPT's default adapters, on query and value, share it) and the base is taken to keep its inputs, so
 * each linear layer's input is counted once, by the base or by a dropout. Without a count adapters sit on every
 * linear layer of every block, as the estimator assumes for their parameters.
 */
final class LoraDropout {
    private LoraDropout() {}

    /** The largest rank a count is read as; a larger quotient is a coincidence of numbers, not a LoRA setup. */
    static final long MAX_RANK = 4096;

    /**
     * Whether {@code trainable} is a whole rank of adapters on every linear layer of every block (with or without the
     * LM head): the count of the every-layer setting, {@code r · Σ(in + out)}, for some rank r up to {@link #MAX_RANK}.
     */
    static boolean onEveryLinear(TransformerSpec t, long trainable) {
        long blocks = TransformerMath.adapterParamsPerBlock(t, 1) * t.layers();
        long head = t.kind() == TransformerSpec.Kind.DECODER ? (long) t.hidden() + t.vocab() : 0;
        return wholeRank(trainable, blocks) || head > 0 && wholeRank(trainable, blocks + head);
    }

    private static boolean wholeRank(long trainable, long perRank) {
        return perRank > 0 && trainable % perRank == 0 && trainable / perRank >= 1 && trainable / perRank <= MAX_RANK;
    }

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
