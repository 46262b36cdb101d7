package dev.vramplan.estimate;

import dev.vramplan.catalog.Band;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.TransformerSpec;
import java.util.EnumMap;
import java.util.Map;

/**
 * A vLLM server's memory and how many sequences it serves at once. vLLM takes {@code gpu_memory_utilization} of the
 * card up front and splits it (vllm/worker/worker.py {@code determine_num_available_blocks}, vLLM 0.6–0.8):
 * {@code available_kv_cache_memory = total_gpu_memory * gpu_memory_utilization - non_kv_cache_memory}, where the
 * non-KV memory is the weights, the peak of a profiling forward pass with dummy inputs ({@code profile_run}) and the
 * memory outside PyTorch (CUDA context, NCCL); then {@code num_gpu_blocks = available_kv_cache_memory //
 * cache_block_size}, each block holding {@link #BLOCK_TOKENS} tokens of keys and values of every layer
 * (vllm/worker/cache_engine.py {@code get_cache_block_size}: {@code 2 * num_layers * num_kv_heads * head_size *
 * block_size * dtype_size}, the KV heads per GPU under tensor parallelism). A sequence of {@code seq_len} tokens holds
 * ceil(seq_len / 16) blocks, so the pool serves blocks / ceil(seq_len / 16) sequences at once (vLLM logs "Maximum
 * concurrency for N tokens per request").
 */
public final class VllmPool {
    /** vLLM's default {@code gpu_memory_utilization} (vllm/engine/arg_utils.py). */
    public static final double DEFAULT_UTILIZATION = 0.9;
    /** vLLM's default {@code block_size} on CUDA (vllm/config.py CacheConfig). */
    public static final int BLOCK_TOKENS = 16;
    /**
     * The profiling run's tokens: {@code max_num_batched_tokens} defaults to {@code max(max_model_len, 2048)} without
     * chunked prefill (vllm/engine/arg_utils.py, vllm/config.py SchedulerConfig).
     */
    public static final int PROFILE_MIN_TOKENS = 2048;
    /** {@code max_num_seqs} default: the sampler profiles logits for this many sequences (vllm/config.py SchedulerConfig). */
    public static final int MAX_NUM_SEQS = 256;

    private VllmPool() {}

    /**
     * The pool of one server.
     *
     * @param estimate               per GPU: weights, the profiled activation peak, the KV pool, the runtime
     * @param budgetBytes            {@code gpu_memory_utilization} of the card
     * @param blockBytes             one 16-token block
     * @param blocks                 blocks in the pool (0: the weights and the profiled peak leave no room)
     * @param maxConcurrentSequences sequences of the workload's length the pool holds at once
     * @param sequenceBytes          the blocks of one sequence of the workload's length
     */
    public record Plan(
            Estimate estimate,
            long budgetBytes,
            long blockBytes,
            long blocks,
            int maxConcurrentSequences,
            long sequenceBytes) {
        /**
         * The top of {@code band} over {@code bytes} (the estimate's device, reserved or peak bytes). vLLM measures
         * what it needs besides the pool when it starts (weights, the profiled peak, the runtime) and gives the pool
         * what is left of its budget (vllm/worker/worker.py {@code determine_num_available_blocks}): where that need
         * is higher than estimated, the pool is smaller and holds fewer sequences, and the server takes no more
         * memory. So the band raises the rest, not the pool, and the top exceeds the estimate only when the raised
         * rest leaves no room for one sequence.
         */
        public long high(Band band, long bytes) {
            long rest = bytes - estimate.breakdown().get(Component.KV_CACHE);
            return Math.max(bytes, band.high(rest) + sequenceBytes);
        }
    }

    /**
     * vLLM's pool for {@code r} (an inference request; its batch is ignored), with {@code utilization} of the card.
     */
    public static Plan plan(EstimateRequest r, double utilization) {
        if (r.mode() != Mode.INFERENCE
                || !(r.model().architecture() instanceof TransformerSpec t)
                || t.kind() != TransformerSpec.Kind.DECODER) {
            throw new IllegalArgumentException(
                    "vllm serves decoder language models; " + r.model().id() + " is not one");
        }
        if (!(utilization > 0) || utilization > 1) {
            throw new IllegalArgumentException(
                    "gpu_memory_utilization must be above 0 and at most 1, not " + utilization);
        }
        int seq = r.seqLenTokens();
        // the profiling forward: one dummy sequence of max(seq_len, 2048) tokens, logits only for the last position of
        // each of max_num_seqs sequences (fp32, for the sampler)
        Estimate profile = Estimator.estimate(r.withBatch(1).withSeqLen(Math.max(seq, PROFILE_MIN_TOKENS)));
        Map<Component, Long> b = new EnumMap<>(Component.class);
        for (Component c : Component.values()) {
            b.put(c, 0L);
        }
        b.put(Component.WEIGHTS, profile.breakdown().get(Component.WEIGHTS));
        b.put(Component.ACTIVATIONS, profile.breakdown().get(Component.ACTIVATIONS));
        b.put(Component.WORKSPACE, profile.breakdown().get(Component.WORKSPACE));
        b.put(Component.INPUT_OUTPUT, 4L * MAX_NUM_SEQS * t.vocab());
        b.put(Component.COMMUNICATION, profile.breakdown().get(Component.COMMUNICATION));
        b.put(Component.RUNTIME, profile.breakdown().get(Component.RUNTIME));
        long nonKv = 0;
        for (long v : b.values()) {
            nonKv += v;
        }
        int kvBytes = r.precision().quantized() ? 2 : r.precision().activationBytes();
        int heads = r.parallelism().gpus() > 1
                ? TensorParallel.kvHeadsPerGpu(t, r.parallelism().gpus())
                : t.kvHeads();
        long blockBytes = 2L * t.layers() * heads * t.headDim() * kvBytes * BLOCK_TOKENS;
        long budget = (long) Math.floor(r.gpu().usableBytes() * utilization);
        long blocks = Math.max(0, (budget - nonKv) / blockBytes);
        long perSequence = (seq + BLOCK_TOKENS - 1) / BLOCK_TOKENS;
        long sequences = blocks / perSequence;
        // the pool vLLM allocates, or, when not one sequence fits, what one sequence would need
        b.put(Component.KV_CACHE, sequences > 0 ? blocks * blockBytes : perSequence * blockBytes);
        long peak = 0;
        for (Component c : Component.values()) {
            if (c != Component.ALLOCATOR_CACHE && c != Component.RUNTIME) {
                peak += b.get(c);
            }
        }
        long device = peak + b.get(Component.RUNTIME);
        Estimate e = new Estimate(
                b, peak, peak, device, r.gpu().usableBytes(), profile.params(), "forward", profile.activationFactor());
        return new Plan(
                e, budget, blockBytes, blocks, (int) Math.min(Integer.MAX_VALUE, sequences), perSequence * blockBytes);
    }
}
