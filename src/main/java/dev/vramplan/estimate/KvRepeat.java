package dev.vramplan.estimate;

import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.TransformerSpec;

/**
 * Grouped-query attention's keys and values as LitGPT's training forward hands them to the attention kernel: repeated
 * to every query head. {@code CausalSelfAttention.forward} runs {@code k = k.repeat_interleave(q_per_kv, dim=1)} and
 * the same for {@code v} whenever {@code n_query_groups != n_head} and there is no KV cache ({@code input_pos is
 * None}: "flash attention requires it in training mode", litgpt/model.py, d28a00d; lit-gpt 8641822 expands and
 * reshapes, a copy as well). {@code scaled_dot_product_attention} keeps its inputs for backward, so each block keeps
 * keys and values as wide as the queries; the grouped ones it started from are kept by nothing
 * ({@code repeat_interleave}'s backward sums the gradient and needs no input). Hugging Face's kernels vary by version
 * (flash-attention 2 and SDPA with {@code enable_gqa} take the groups as they are), so only LitGPT's loop counts it.
 */
final class KvRepeat {
    private KvRepeat() {}

    /** Bytes per token and block kept beyond {@code q + 2·kv} wide keys, queries and values of {@code e} bytes. */
    static double extraBytesPerToken(TransformerSpec t, Framework framework, boolean train, int e) {
        if (!train || framework != Framework.LITGPT || t.kvHeads() == t.heads()) {
            return 0;
        }
        double q = (double) t.heads() * t.headDim();
        double kv = (double) t.kvHeads() * t.headDim();
        return 2.0 * e * (q - kv);
    }
}
