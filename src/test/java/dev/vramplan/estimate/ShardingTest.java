package dev.vramplan.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Offload;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.TransformerSpec;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Several cards: model states per GPU against DeepSpeed's own estimators, and the orderings a sharded job must keep. */
class ShardingTest {
    static final Catalog C = Shipped.catalog();
    static final double GIB = 1L << 30;

    static EstimateRequest train(String model, String gpu, int batch, Parallelism p) {
        return new EstimateRequest(
                C.model(model),
                C.gpu(gpu),
                Mode.TRAIN,
                Precision.AMP_BF16,
                batch,
                null,
                2048,
                Optimizer.ADAMW,
                Setup.defaults(),
                p);
    }

    static long device(int gpus, Strategy s, Offload o) {
        return Estimator.estimate(train("llama-3-8b", "a100-sxm4-80gb", 1, new Parallelism(gpus, s, o)))
                .deviceBytes();
    }

    /** Model states per GPU (weights, gradients, optimizer states) as Sharding keeps them, for P parameters. */
    static double modelStates(Parallelism par, long params, long largest) {
        // AdamW under bf16 autocast: fp32 weights 4P, fp32 gradients 4P, two fp32 moments 8P, autocast's copies 2P
        Sharding.PerGpu g = Sharding.train(
                par,
                true,
                2,
                4.0 * params,
                0,
                4.0 * params,
                8.0 * params,
                4.0 * params,
                2.0 * params,
                params,
                params,
                null);
        return g.weights() + g.gradients() + g.optimizerStates();
    }

    /**
     * DeepSpeed's documented example (docs/code_docs/source/memory.rst, "estimate_zero2_model_states_mem_needs_all_cold"
     * and "..._zero3_...": t5-3b, 2,851M parameters, largest layer 32,128 x 1,024 = 32,899,072, one node of 8 GPUs):
     * 15.93 GB per GPU for ZeRO-2 and 6.10 GB for ZeRO-3, without offload, model states only.
     */
    @Test
    void deepSpeedsOwnEstimatorsGiveTheDocumentedT53bFigures() {
        long p = 2_851_000_000L;
        long largest = 32_128L * 1_024;
        assertThat(String.format(Locale.ROOT, "%.2f", Sharding.deepSpeedZero2Bytes(p, 8) / GIB))
                .isEqualTo("15.93");
        assertThat(String.format(Locale.ROOT, "%.2f", Sharding.deepSpeedZero3Bytes(p, largest, 8) / GIB))
                .isEqualTo("6.10");
    }

    @Test
    void zero1KeepsWhatDeepSpeedsStage2EstimatorCounts() {
        // DeepSpeed's estimator (stage_1_and_2.py, cde57d2): 4P + 16P/N, the 16-bit weights and gradients whole. That
        // is
        // stage 1's layout; stage 2 shards the 16-bit gradients too: 2P + 18P/N (DeepSpeed PR #5099)
        long p = 2_851_000_000L;
        assertThat(modelStates(new Parallelism(8, Strategy.ZERO1, Offload.NONE), p, p))
                .isEqualTo((double) Sharding.deepSpeedZero2Bytes(p, 8));
        assertThat(modelStates(new Parallelism(8, Strategy.ZERO2, Offload.NONE), p, p))
                .isEqualTo(2.0 * p + 18.0 * p / 8);
    }

    @Test
    void zero3KeepsDeepSpeedsStage3FigurePlusThe16BitGradientShardAndThePrefetchBucket() {
        // DeepSpeed's stage-3 estimator: 4 x largest layer + 18P/N. Here: 20P/N (its 18 and the 16-bit gradient
        // partition, 2P/N), the gathered largest layer and prefetch bucket in 16 bits, 2 x (L + 5e7), and that layer's
        // 16-bit gradient, 2L: DeepSpeed's 4L + 1e8 bytes of prefetch
        TransformerSpec t5like = (TransformerSpec) C.model("llama-3-8b").architecture();
        long p = 8_030_261_248L;
        long largest = Sharding.largestLayerParams(t5like, p);
        assertThat(largest)
                .as("llama-3-8b's largest layer: the 128,256 x 4,096 embedding")
                .isEqualTo(128_256L * 4_096);
        Sharding.PerGpu g = Sharding.train(
                new Parallelism(8, Strategy.ZERO3, Offload.NONE),
                true,
                2,
                4.0 * p,
                0,
                4.0 * p,
                8.0 * p,
                4.0 * p,
                2.0 * p,
                p,
                p,
                t5like);
        double states = g.weights() + g.gradients() + g.optimizerStates();
        assertThat(states).isEqualTo(Sharding.deepSpeedZero3Bytes(p, largest, 8) + 2.0 * p / 8 + 2.0 * 50_000_000);
    }

    @Test
    void theIssuesExampleFitsOnEightCardsUnderZero3AndNotOnOne() {
        Estimate one = Estimator.estimate(train("llama-3-8b", "a100-sxm4-80gb", 1, Parallelism.single()));
        Estimate eight = Estimator.estimate(
                train("llama-3-8b", "a100-sxm4-80gb", 1, new Parallelism(8, Strategy.ZERO3, Offload.NONE)));
        assertThat(one.fits()).isFalse();
        assertThat(eight.fits()).isTrue();
        assertThat(eight.breakdown().get(Component.COMMUNICATION)).isGreaterThan(Communication.NCCL_BUFFER_BYTES);
        assertThat(one.breakdown().get(Component.COMMUNICATION)).isZero();
    }

    @Test
    void perGpuMemoryFallsFromDdpToZero1Zero2Zero3AndWithOffload() {
        assertThat(device(8, Strategy.DDP, Offload.NONE)).isGreaterThan(device(8, Strategy.ZERO1, Offload.NONE));
        assertThat(device(8, Strategy.ZERO1, Offload.NONE)).isGreaterThan(device(8, Strategy.ZERO2, Offload.NONE));
        assertThat(device(8, Strategy.ZERO2, Offload.NONE)).isGreaterThan(device(8, Strategy.ZERO3, Offload.NONE));
        assertThat(device(8, Strategy.ZERO3, Offload.NONE)).isGreaterThan(device(8, Strategy.ZERO3, Offload.OPTIMIZER));
        assertThat(device(8, Strategy.ZERO3, Offload.OPTIMIZER))
                .isGreaterThan(device(8, Strategy.ZERO3, Offload.OPTIMIZER_PARAMS));
        assertThat(device(8, Strategy.ZERO2, Offload.NONE)).isGreaterThan(device(8, Strategy.ZERO2, Offload.OPTIMIZER));
    }

    @Test
    void moreCardsUnderZero3MeanLessPerGpu() {
        assertThat(device(2, Strategy.ZERO3, Offload.NONE)).isGreaterThan(device(4, Strategy.ZERO3, Offload.NONE));
        assertThat(device(4, Strategy.ZERO3, Offload.NONE)).isGreaterThan(device(8, Strategy.ZERO3, Offload.NONE));
    }

    @Test
    void ddpKeepsEverythingAndAddsItsGradientBuckets() {
        Estimate one = Estimator.estimate(train("llama-3.2-1b", "a100-sxm4-80gb", 1, Parallelism.single()));
        Estimate ddp = Estimator.estimate(
                train("llama-3.2-1b", "a100-sxm4-80gb", 1, new Parallelism(4, Strategy.DDP, Offload.NONE)));
        assertThat(ddp.breakdown().get(Component.WEIGHTS))
                .isEqualTo(one.breakdown().get(Component.WEIGHTS));
        assertThat(ddp.breakdown().get(Component.COMMUNICATION))
                .isEqualTo(one.breakdown().get(Component.GRADIENTS) + Communication.NCCL_BUFFER_BYTES);
    }

    @Test
    void theBreakdownStillAddsUpOnSeveralCards() {
        for (Strategy s : new Strategy[] {Strategy.DDP, Strategy.ZERO1, Strategy.ZERO2, Strategy.ZERO3}) {
            Estimate e =
                    Estimator.estimate(train("llama-3-8b", "h100-sxm-80gb", 2, new Parallelism(8, s, Offload.NONE)));
            long sum =
                    e.breakdown().values().stream().mapToLong(Long::longValue).sum();
            assertThat(sum).as(s.id()).isEqualTo(e.deviceBytes());
        }
    }

    @Test
    void tensorParallelServingSplitsWeightsAndKvCache() {
        Gpu h100 = C.gpu("h100-sxm-80gb");
        EstimateRequest one = new EstimateRequest(
                C.model("llama-2-70b"),
                h100,
                Mode.INFERENCE,
                Precision.BF16,
                8,
                null,
                4096,
                Optimizer.NONE,
                Setup.defaults());
        Estimate whole = Estimator.estimate(one);
        Estimate four = Estimator.estimate(one.withParallelism(new Parallelism(4, Strategy.TP, Offload.NONE)));
        assertThat(whole.fits()).isFalse();
        assertThat(four.fits()).isTrue();
        long w = whole.breakdown().get(Component.WEIGHTS);
        // norms stay whole on every GPU: a little more than a quarter
        assertThat(four.breakdown().get(Component.WEIGHTS)).isGreaterThan(w / 4).isLessThan(w / 4 + (10L << 20));
        // llama-2-70b has 8 key/value heads: 2 per GPU
        assertThat(four.breakdown().get(Component.KV_CACHE))
                .isEqualTo(whole.breakdown().get(Component.KV_CACHE) / 4);
        assertThat(four.breakdown().get(Component.RUNTIME))
                .isEqualTo(whole.breakdown().get(Component.RUNTIME));
    }

    @Test
    void strategiesThatDoNotFitTheJobAreRefusedWithAnActionableMessage() {
        EstimateRequest serve = new EstimateRequest(
                C.model("llama-3-8b"),
                C.gpu("a100-sxm4-80gb"),
                Mode.INFERENCE,
                Precision.BF16,
                1,
                null,
                2048,
                Optimizer.NONE,
                Setup.defaults());
        assertThatThrownBy(() ->
                        Estimator.estimate(serve.withParallelism(new Parallelism(2, Strategy.ZERO3, Offload.NONE))))
                .hasMessage("zero3 shards training; serve across cards with --strategy tp");
        assertThatThrownBy(
                        () -> Estimator.estimate(serve.withParallelism(new Parallelism(3, Strategy.TP, Offload.NONE))))
                .hasMessage("llama-3-8b: tp 3 does not divide the 32 attention heads");
        assertThatThrownBy(() -> new Parallelism(8, Strategy.SINGLE, Offload.NONE))
                .hasMessage("--gpus 8 needs a strategy: ddp, zero1, zero2, zero3 or tp");
        assertThatThrownBy(() -> new Parallelism(8, Strategy.ZERO2, Offload.OPTIMIZER_PARAMS))
                .hasMessage("offload optimizer+params needs zero3 (DeepSpeed offloads parameters only in stage 3)");
        assertThatThrownBy(() -> new Parallelism(8, Strategy.DDP, Offload.OPTIMIZER))
                .hasMessage("offload optimizer needs a ZeRO strategy (zero1, zero2 or zero3), not ddp");
    }

    /**
     * vLLM's KV block for llama-3-8b: 2 x 32 layers x 8 KV heads x 128 x 2 bytes x 16 tokens = 2 MiB; the pool is what
     * 90% of the card leaves after weights, the profiled peak and the runtime, in whole blocks.
     */
    @Test
    void vllmsPoolIsWholeBlocksOfWhatTheBudgetLeaves() {
        EstimateRequest serve = new EstimateRequest(
                C.model("llama-3-8b"),
                C.gpu("a100-sxm4-80gb"),
                Mode.INFERENCE,
                Precision.BF16,
                1,
                null,
                8192,
                Optimizer.NONE,
                Setup.defaults());
        VllmPool.Plan p = VllmPool.plan(serve, 0.9);
        assertThat(p.blockBytes()).isEqualTo(2L << 20);
        long nonKv = p.estimate().deviceBytes() - p.estimate().breakdown().get(Component.KV_CACHE);
        assertThat(p.blocks()).isEqualTo((p.budgetBytes() - nonKv) / p.blockBytes());
        assertThat(p.maxConcurrentSequences()).isEqualTo((int) (p.blocks() / (8192 / 16)));
        assertThat(p.estimate().deviceBytes()).isLessThanOrEqualTo(p.budgetBytes());
        // a smaller share of the card serves fewer sequences; tensor parallelism on 2 GPUs more
        assertThat(VllmPool.plan(serve, 0.5).maxConcurrentSequences()).isLessThan(p.maxConcurrentSequences());
        assertThat(VllmPool.plan(serve.withParallelism(new Parallelism(2, Strategy.TP, Offload.NONE)), 0.9)
                        .maxConcurrentSequences())
                .isGreaterThan(2 * p.maxConcurrentSequences());
    }

    /**
     * Tensor-parallel serving splits the heads' and the MLP's activations with their matrices; the residual stream and
     * the norm output stay whole. llama-2-70b, bf16, flash attention, 4,096 tokens: per sample 2 × 2 × 4096 × 8192
     * (residual and norm) + the MLP, the wider of the two (3 × 2 × 4096 × 28672, halved on 2 GPUs).
     */
    @Test
    void tensorParallelServingSplitsTheHeadsAndTheMlpButNotTheResidualStream() {
        EstimateRequest one = new EstimateRequest(
                C.model("llama-2-70b"),
                C.gpu("h100-sxm-80gb"),
                Mode.INFERENCE,
                Precision.BF16,
                16,
                null,
                4096,
                Optimizer.NONE,
                Setup.defaults());
        long residual = 2L * 2 * 4096 * 8192;
        long mlp = 3L * 2 * 4096 * 28672;
        assertThat(Estimator.estimate(one).breakdown().get(Component.ACTIVATIONS))
                .isEqualTo(16 * (residual + mlp));
        EstimateRequest two = one.withParallelism(new Parallelism(2, Strategy.TP, Offload.NONE));
        assertThat(Estimator.estimate(two).breakdown().get(Component.ACTIVATIONS))
                .isEqualTo(16 * (residual + mlp / 2));
    }
}
