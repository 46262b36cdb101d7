package dev.vramplan.estimate;

import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.TransformerSpec;

/**
 * Grouped-query attention's keys and values as a training forward hands them to the attention kernel: repeated to
 * every query head, and kept so by the kernel for backward ({@code scaled_dot_product_attention} and eager attention's
 * matmuls keep their inputs). The grouped tensors they came from are kept by nothing (the repeat's backward sums the
 * gradient and needs no input), so each block keeps keys and values as wide as the queries.
 * <ul>
 * <li>LitGPT: {@code CausalSelfAttention.forward} runs {@code k = k.repeat_interleave(q_per_kv, dim=1)} and the same
 * for {@code v} whenever {@code n_query_groups != n_head} and there is no KV cache ({@code input_pos is None}: "flash
 * attention requires it in training mode", litgpt/model.py, d28a00d; lit-gpt 8641822 expands and reshapes, a copy as
 * well).</li>
 * <li>Hugging Face {@code transformers} (the Trainer, and FastChat and LLaMA-Factory on it): {@code repeat_kv}
 * ({@code expand} then {@code reshape}, a copy) before SDPA and in eager attention
 * (src/transformers/integrations/sdpa_attention.py {@code sdpa_attention_forward}, modeling_llama.py
 * {@code eager_attention_forward}); since {@code use_gqa_in_sdpa} SDPA takes the groups as they are when no mask
 * reaches it (torch 2.5 or newer, and a batch without padding, whose all-ones mask transformers drops for SDPA); a
 * padded batch, an older version and the eager path repeat them. Its flash-attention-2 path never repeats. Those runs
 * need less than estimated here by this amount: the estimate takes the side that does not run out of memory.</li>
 * </ul>
 */
final class KvRepeat {
    private KvRepeat() {}

    /** Bytes per token and block kept beyond {@code q + 2·kv} wide keys, queries and values of {@code e} bytes. */
    static double extraBytesPerToken(TransformerSpec t, Framework framework, boolean train, int e) {
        boolean repeats = framework == Framework.LITGPT || (framework != null && framework.huggingFace());
        if (!train || !repeats || t.kvHeads() == t.heads()) {
            return 0;
        }
        double q = (double) t.heads() * t.headDim();
        double kv = (double) t.kvHeads() * t.headDim();
        return 2.0 * e * (q - kv);
    }
}
