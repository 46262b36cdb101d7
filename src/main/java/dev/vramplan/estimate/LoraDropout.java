package dev.vramplan.estimate;

import dev.vramplan.catalog.Framework;
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
 * <p>A trainable count says which layers carry adapters when it is exactly rank × the adapters of one setting (LoRA's
 * A and B: r·(in + out) per matrix): every linear layer of every block, the LM head's optionally too (LitGPT's
 * {@code lora_head} adds r·(hidden + vocab)), or query and value only (LitGPT's default, PEFT's
 * {@code target_modules=["q_proj", "v_proj"]}): {@link #adapted}. Any other count leaves them unknown: the attention
 * input's dropout is counted and the base is taken to keep its inputs, so each linear layer's input is counted once,
 * by the base or by a dropout. Without a count adapters sit on every linear layer of every block, as the estimator
 * assumes for their parameters.
 */
final class LoraDropout {
    private LoraDropout() {}

    /** The largest rank a count is read as; a larger quotient is a coincidence of numbers, not a LoRA setup. */
    static final long MAX_RANK = 4096;

    /** Which linear layers carry adapters, as far as the request says. */
    enum Adapted {
        EVERY_LINEAR,
        QUERY_VALUE,
        UNKNOWN
    }

    /**
     * The layers a trainable count means: a whole rank r (up to {@link #MAX_RANK}) of the adapters of every linear
     * layer of every block (with or without the LM head's), or of query and value only; no count: every layer. Counts
     * can coincide: with as many key as query heads, query, key and value at rank 2k count as query and value at rank
     * 3k, and are read as that.
     */
    static Adapted adapted(TransformerSpec t, Long trainable) {
        if (trainable == null) {
            return Adapted.EVERY_LINEAR;
        }
        long blocks = TransformerMath.adapterParamsPerBlock(t, 1) * t.layers();
        long head = t.kind() == TransformerSpec.Kind.DECODER ? (long) t.hidden() + t.vocab() : 0;
        if (wholeRank(trainable, blocks) || head > 0 && wholeRank(trainable, blocks + head)) {
            return Adapted.EVERY_LINEAR;
        }
        long q = (long) t.heads() * t.headDim();
        long kv = (long) t.kvHeads() * t.headDim();
        long queryValue = (2L * t.hidden() + q + kv) * t.layers();
        return wholeRank(trainable, queryValue) ? Adapted.QUERY_VALUE : Adapted.UNKNOWN;
    }

    private static boolean wholeRank(long trainable, long perRank) {
        return perRank > 0 && trainable % perRank == 0 && trainable / perRank >= 1 && trainable / perRank <= MAX_RANK;
    }

    /** Elements per token, summed over one block's linear layers whose adapter dropout keeps its input. */
    static double inputsPerToken(TransformerSpec t, Projections modules, Adapted adapted) {
        double h = t.hidden();
        return switch (adapted) {
            // the inputs: (q, k, v), the merged heads (o), (gate, up) or fc1, and the down projection's
            case EVERY_LINEAR ->
                (modules.attention() + modules.mlp()) * h + (double) t.heads() * t.headDim() + t.intermediate();
            // q and v: one dropout in a fused module, one each where they are separate
            case QUERY_VALUE -> (modules.attention() == 1 ? 1 : 2) * h;
            case UNKNOWN -> h;
        };
    }

    /**
     * Elements per token of one block that LitGPT's fused query/key/value adapter keeps beyond its dropout: {@code
     * LoRAQKVLinear.zero_pad} places the adapter's outputs for the enabled projections into the fused width with
     * {@code index_copy}, whose backward keeps its {@code source} (PyTorch derivatives.yaml {@code index_copy}: {@code
     * source: grad.index_select(dim, index).expand_as(source)}; lit-gpt lit_gpt/lora.py at 8641822, litgpt/lora.py):
     * the width of q, k and v on every layer, of q and v otherwise (LitGPT's default {@code lora_query}, {@code
     * lora_value}). Hugging Face models under PEFT wrap each projection on its own: nothing more there.
     */
    static double zeroPadPerToken(TransformerSpec t, Framework framework, Adapted adapted) {
        if (framework != Framework.LITGPT) {
            return 0;
        }
        double q = (double) t.heads() * t.headDim();
        double kv = (double) t.kvHeads() * t.headDim();
        return adapted == Adapted.EVERY_LINEAR ? q + 2 * kv : q + kv;
    }
}
