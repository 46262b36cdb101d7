package dev.vramplan.estimate;

import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Model;
import java.util.Set;

/**
 * How many whole key/value caches a decoder's generation holds at its peak: two where the model's code grows the cache
 * by concatenation into new tensors, one where it grows it in place.
 *
 * <p>Qwen (v1) runs its own modeling code ({@code modeling_qwen.py} on the Hugging Face Hub, Qwen/Qwen-7B-Chat, loaded
 * with {@code trust_remote_code}). Each decode step, {@code QWenAttention.forward} builds the layer's new cache as
 * {@code key = torch.cat((past_key, key), dim=1)} (the same for the value) and returns {@code present = (key, value)};
 * {@code QWenModel.forward} gathers them into a new tuple. The previous step's tuple stays referenced the whole
 * forward pass: by {@code GenerationMixin}'s {@code model_kwargs["past_key_values"]}, which
 * {@code _update_model_kwargs_for_generation} replaces only after the forward returns (huggingface/transformers
 * src/transformers/generation/utils.py, the {@code sample}/{@code greedy_search} loops). At the last layer of a step
 * both the old cache (s − 1 tokens) and the new one (s tokens) are alive: twice the cache.
 *
 * <p>transformers' own classes since v4.36 keep a {@code DynamicCache} that replaces each layer's tensor as it grows
 * (the old one is freed at once), LitGPT preallocates its cache and writes into it ({@code KVCache.forward},
 * {@code index_copy_}), and vLLM pages it: one cache.
 */
final class LegacyKvCache {
    private LegacyKvCache() {}

    /** Model families that always generate through their own code with tuple caches grown by concatenation. */
    private static final Set<String> CONCATENATING = Set.of("qwen");

    /** Whole caches alive at the peak of generation (1 or 2). */
    static int copies(Model m, Framework framework) {
        // Hugging Face generation runs the model's own attention code
        return CONCATENATING.contains(m.family()) && framework != null && framework.huggingFace() ? 2 : 1;
    }
}
