package dev.vramplan.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Band;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import org.junit.jupiter.api.Test;

/**
 * vLLM's pool against the KV-cache sizes vLLM itself logged in public runs (docs/multicard.md, "Serving engines",
 * lists them with the figures). The pool is vLLM's V0 arithmetic ({@link VllmPool}); the runtime this estimator counts
 * (the CUDA context of a process that has run, 1,343 MiB by default) is larger than the memory outside PyTorch vLLM
 * sees right after its profiling pass (0.35 GiB in the RTX 3090 log), so on a small card the pool comes out about a
 * gigabyte smaller than vLLM's: fewer concurrent sequences than vLLM would serve, never more.
 */
class VllmLogTest {
    private static final Catalog C = Shipped.catalog();

    private static VllmPool.Plan pool(String model, String gpu, Precision p, int seqLen) {
        return VllmPool.plan(
                new EstimateRequest(
                        C.model(model),
                        C.gpu(gpu),
                        Mode.INFERENCE,
                        p,
                        1,
                        null,
                        seqLen,
                        Optimizer.NONE,
                        Setup.defaults()),
                VllmPool.DEFAULT_UTILIZATION);
    }

    /**
     * Llama-2-7B on one A100 80GB, fp16, the default max_model_len 4096: "# GPU blocks: 7351" (vllm-project/vllm PR
     * 2031, WoosukKwon's comment of 2023-12-12, benchmark_throughput.py at default arguments). A block is 2 × 32
     * layers × 32 KV heads × 128 × 2 bytes × 16 tokens = 8 MiB.
     */
    @Test
    void llama2On80GbA100HoldsTheBlocksVllmLogged() {
        VllmPool.Plan p = pool("llama-2-7b", "a100-sxm4-80gb", Precision.FP16, 4096);
        assertThat(p.blockBytes()).isEqualTo(8L << 20);
        // 7,310 blocks: 0.6% under the logged 7,351
        assertThat(p.blocks()).isBetween(Math.round(7351 * 0.95), 7351L);
        assertThat(p.maxConcurrentSequences()).isEqualTo((int) (p.blocks() / 256));
    }

    /**
     * Llama-3.1-8B on an RTX 3090 (vllm-project/vllm issue 10517, kaspersiminski's comment of 2024-12-02, vLLM 0.6.x):
     * at max_model_len 20000 "GPU blocks: 1952" and "Maximum concurrency for 20000 tokens per request: 1.56x"; at 29000
     * "# GPU blocks: 1478", fewer tokens (23,648) than one request, and the server refused to start.
     */
    @Test
    void llama31On3090ServesWhatVllmServedAndRefusesWhatItRefused() {
        VllmPool.Plan twenty = pool("llama-3.1-8b", "rtx-3090", Precision.BF16, 20000);
        assertThat(twenty.blockBytes()).isEqualTo(2L << 20);
        // 1,496 blocks, 23% under the logged 1,952 (the runtime above); the same one whole sequence
        assertThat(twenty.blocks()).isBetween(Math.round(1952 * 0.7), 1952L);
        assertThat(twenty.maxConcurrentSequences()).isEqualTo(1);
        VllmPool.Plan long29 = pool("llama-3.1-8b", "rtx-3090", Precision.BF16, 29000);
        assertThat(long29.blocks()).isBetween(Math.round(1478 * 0.65), 1478L);
        assertThat(long29.maxConcurrentSequences()).isZero();
        // the longer profiling pass (29,000 tokens) leaves fewer blocks, as in the logs (1952 → 1478)
        assertThat(twenty.blocks() - long29.blocks()).isBetween(300L, 600L);
    }

    /**
     * The band of a pool: vLLM sizes its pool from what it measures besides it, so an error there shrinks the pool and
     * the server still takes its budget. Llama-2-7B on an A100 80GB at 4,096 tokens: the rest (weights, profiled
     * peak, logits, runtime) raised 11.5% still leaves room for a 256-block sequence, so the top is the estimate; on
     * a 24 GB card a 13 GB rest raised 11.5% does not leave room for a 20,000-token sequence, so the top is that
     * rest raised plus one sequence.
     */
    @Test
    void aPoolTakesItsBudgetAtTheBandsTopUnlessTheRestLeavesNoRoomForOneSequence() {
        Band band = new Band(0.9, "all", 98, 0.115);
        VllmPool.Plan p = pool("llama-2-7b", "a100-sxm4-80gb", Precision.FP16, 4096);
        long device = p.estimate().deviceBytes();
        long rest = device - p.estimate().breakdown().get(Component.KV_CACHE);
        assertThat(p.sequenceBytes()).isEqualTo(256L * (8L << 20));
        assertThat((long) Math.ceil(rest * 1.115) + p.sequenceBytes()).isLessThan(device);
        assertThat(p.high(band, device)).isEqualTo(device);
        assertThat(new BandedEstimate(p.estimate(), band, p).deviceBytesHigh()).isEqualTo(device);
        // without the pool's arithmetic, the same band would put the server 11.5% over its budget, past the card
        assertThat(band.high(device)).isGreaterThan(C.gpu("a100-sxm4-80gb").usableBytes());

        VllmPool.Plan tight = pool("llama-3.1-8b", "rtx-3090", Precision.BF16, 20000);
        long tightDevice = tight.estimate().deviceBytes();
        long tightRest = tightDevice - tight.estimate().breakdown().get(Component.KV_CACHE);
        assertThat(tight.sequenceBytes()).isEqualTo(1250L * (2L << 20)); // ⌈20,000 / 16⌉ blocks of 2 MiB
        long expected = (long) Math.ceil(tightRest * 1.115) + tight.sequenceBytes();
        assertThat(expected).isGreaterThan(tightDevice);
        assertThat(tight.high(band, tightDevice)).isEqualTo(expected);
    }
}
