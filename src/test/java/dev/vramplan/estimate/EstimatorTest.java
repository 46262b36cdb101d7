package dev.vramplan.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.TransformerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Hand-computed cases (arithmetic in comments) and properties every estimate must have. */
class EstimatorTest {
    static Model model(String id) {
        return Shipped.catalog().model(id);
    }

    static Gpu gpu(String id) {
        return Shipped.catalog().gpu(id);
    }

    static Estimate text(String model, Mode mode, Precision p, int batch, int seq, Optimizer o) {
        return Estimator.estimate(
                new EstimateRequest(model(model), gpu("a100-sxm4-80gb"), mode, p, batch, null, seq, o, true));
    }

    static Estimate image(String model, Mode mode, Precision p, int batch, int res, Optimizer o) {
        return Estimator.estimate(
                new EstimateRequest(model(model), gpu("a100-sxm4-80gb"), mode, p, batch, res, null, o, true));
    }

    @Test
    void weightsAreParametersTimesBytes() {
        // Llama 2 7B in bf16: 6,738,415,616 parameters × 2 bytes = 13,476,831,232 bytes
        assertThat(text("llama-2-7b", Mode.INFERENCE, Precision.BF16, 1, 16, Optimizer.NONE)
                        .breakdown()
                        .get(Component.WEIGHTS))
                .isEqualTo(13_476_831_232L);
        // in fp32: × 4 = 26,953,662,464
        assertThat(text("llama-2-7b", Mode.INFERENCE, Precision.FP32, 1, 16, Optimizer.NONE)
                        .breakdown()
                        .get(Component.WEIGHTS))
                .isEqualTo(26_953_662_464L);
    }

    @Test
    void int4WeightsKeepEmbeddingsIn16BitsAndAddNf4Scales() {
        // Llama 2 7B: block matrices 32 × (4·4096² + 3·4096·11008) = 6,476,005,376 at 0.5 + 4/64 bytes
        // = 3,642,753,024; the rest (6,738,415,616 − 6,476,005,376 = 262,410,240: embeddings, lm_head,
        // norms) at 2 bytes = 524,820,480; total 4,167,573,504
        assertThat(text("llama-2-7b", Mode.INFERENCE, Precision.INT4, 1, 16, Optimizer.NONE)
                        .breakdown()
                        .get(Component.WEIGHTS))
                .isEqualTo(4_167_573_504L);
    }

    @Test
    void kvCacheCountsKeyValueHeadsNotAttentionHeads() {
        // Llama 2 7B (32 kv heads): 2 · 32 layers · 32 · 128 · 2 bytes = 524,288 bytes per token;
        // 4096 tokens × batch 2 = 4,294,967,296 bytes (4 GiB)
        assertThat(text("llama-2-7b", Mode.INFERENCE, Precision.BF16, 2, 4096, Optimizer.NONE)
                        .breakdown()
                        .get(Component.KV_CACHE))
                .isEqualTo(4_294_967_296L);
        // Llama 3 8B has 8 kv heads (grouped-query): 2 · 32 · 8 · 128 · 2 = 131,072 bytes per token;
        // 8192 tokens × batch 1 = 1 GiB, a quarter of what 32 attention heads would give
        assertThat(text("llama-3-8b", Mode.INFERENCE, Precision.BF16, 1, 8192, Optimizer.NONE)
                        .breakdown()
                        .get(Component.KV_CACHE))
                .isEqualTo(1L << 30);
    }

    @Test
    void mixedPrecisionAdamWKeeps16BytesPerParameterPlusAutocastCopies() {
        // bert-base-uncased, P = 109,482,240: fp32 gradients 4P = 437,928,960; AdamW m and v 8P = 875,857,920
        Estimate e = text("bert-base-uncased", Mode.TRAIN, Precision.AMP_BF16, 1, 128, Optimizer.ADAMW);
        assertThat(e.breakdown().get(Component.WEIGHTS)).isEqualTo(437_928_960L);
        assertThat(e.breakdown().get(Component.GRADIENTS)).isEqualTo(437_928_960L);
        assertThat(e.breakdown().get(Component.OPTIMIZER_STATES)).isEqualTo(875_857_920L);
        // pure bf16 ("bf16-true"): everything in 2 bytes: 2P + 2P + 4P
        Estimate pure = text("bert-base-uncased", Mode.TRAIN, Precision.BF16, 1, 128, Optimizer.ADAMW);
        assertThat(pure.breakdown().get(Component.OPTIMIZER_STATES)).isEqualTo(437_928_960L);
        // SGD with momentum keeps one state: 4P
        assertThat(text("bert-base-uncased", Mode.TRAIN, Precision.AMP_BF16, 1, 128, Optimizer.SGD)
                        .breakdown()
                        .get(Component.OPTIMIZER_STATES))
                .isEqualTo(437_928_960L);
    }

    @Test
    void activationsReproduceKorthikantiForTheirTransformer() {
        // Korthikanti et al. 2022: s·b·h·(34 + 5·a·s/h) bytes per layer, 16-bit, plain 4h MLP, dropout, eager.
        // h = 1024, a = 16, s = 512, b = 4: 2,097,152 · (34 + 5·16·512/1024) = 2,097,152 · 74 = 155,189,248
        TransformerSpec t = new TransformerSpec(
                TransformerSpec.Kind.DECODER,
                24,
                1024,
                16,
                16,
                64,
                4096,
                50000,
                2048,
                false,
                "gelu",
                false,
                2,
                true,
                true,
                true,
                false,
                false,
                "learned",
                0,
                false,
                false,
                true,
                0.1,
                0,
                0,
                0,
                0);
        assertThat(TransformerMath.savedBytesPerLayer(t, 4, 512, 2, false, 0, 2, true, false, new Projections(3, 2)))
                .isEqualTo(155_189_248.0);
        // FlashAttention keeps no a·s² scores (2 + 1 + 2 bytes · a·s²·b gone) but its output O (2·s·b·h) and an fp32
        // log-sum-exp per row and head (4·a·s·b): 2,097,152·(34 + 2) + 4·16·512·4 = 75,497,472 + 131,072 = 75,628,544
        assertThat(TransformerMath.savedBytesPerLayer(t, 4, 512, 2, true, 0, 2, true, false, new Projections(3, 2)))
                .isEqualTo(75_628_544.0);
    }

    @Test
    void deviceIsReservedPlusRuntimeAndReservedIsPeakPlusCache() {
        Estimate e = image("yolov8s", Mode.TRAIN, Precision.AMP_FP16, 16, 640, Optimizer.SGD);
        assertThat(e.reservedBytes())
                .isEqualTo(e.peakAllocatedBytes() + e.breakdown().get(Component.ALLOCATOR_CACHE));
        assertThat(e.deviceBytes()).isEqualTo(e.reservedBytes() + e.breakdown().get(Component.RUNTIME));
        assertThat(e.breakdown().get(Component.RUNTIME)).isEqualTo(Estimator.RUNTIME_DEFAULT_BYTES);
    }

    /** A spread of models and settings for the properties below. */
    static List<EstimateRequest> spread() {
        List<EstimateRequest> out = new ArrayList<>();
        Gpu g = gpu("h100-sxm-80gb");
        for (String id : List.of(
                "yolov5s", "yolov8s", "yolo11m", "resnet50", "efficientnet-b0", "mobilenet-v3-large", "vit-b16")) {
            for (Mode mode : Mode.values()) {
                for (Precision p : List.of(Precision.FP32, Precision.AMP_FP16, Precision.BF16)) {
                    out.add(new EstimateRequest(
                            model(id),
                            g,
                            mode,
                            p,
                            8,
                            320,
                            null,
                            mode == Mode.TRAIN ? Optimizer.SGD : Optimizer.NONE,
                            true));
                }
            }
        }
        for (String id : List.of("llama-3.2-1b", "bert-base-uncased", "gpt2", "gemma-2b", "falcon-7b", "phi-2")) {
            for (Mode mode : Mode.values()) {
                for (Precision p :
                        List.of(Precision.FP32, Precision.AMP_BF16, Precision.BF16, Precision.INT8, Precision.INT4)) {
                    for (boolean flash : List.of(true, false)) {
                        out.add(new EstimateRequest(
                                model(id),
                                g,
                                mode,
                                p,
                                2,
                                null,
                                512,
                                mode == Mode.TRAIN ? Optimizer.ADAMW : Optimizer.NONE,
                                flash));
                    }
                }
            }
        }
        return out;
    }

    static String name(EstimateRequest r) {
        return r.model().id() + " " + r.mode().id() + " " + r.precision().id() + (r.flashAttention() ? "" : " eager");
    }

    static EstimateRequest with(EstimateRequest r, int batch, Integer res, Integer seq, Precision p) {
        return new EstimateRequest(r.model(), r.gpu(), r.mode(), p, batch, res, seq, r.optimizer(), r.flashAttention());
    }

    @TestFactory
    Stream<DynamicTest> neverLessMemoryForALargerBatchResolutionOrSequence() {
        return spread().stream()
                .map(r -> DynamicTest.dynamicTest(name(r), () -> {
                    long base = Estimator.estimate(r).deviceBytes();
                    assertThat(Estimator.estimate(
                                            with(r, r.batch() + 1, r.resolutionPx(), r.seqLenTokens(), r.precision()))
                                    .deviceBytes())
                            .isGreaterThanOrEqualTo(base);
                    if (r.resolutionPx() != null) {
                        assertThat(Estimator.estimate(with(r, r.batch(), r.resolutionPx() + 32, null, r.precision()))
                                        .deviceBytes())
                                .isGreaterThanOrEqualTo(base);
                    } else {
                        assertThat(Estimator.estimate(with(r, r.batch(), null, r.seqLenTokens() * 2, r.precision()))
                                        .deviceBytes())
                                .isGreaterThanOrEqualTo(base);
                    }
                    // where the peak is the forward/backward (not the optimizer step), the batch shows strictly
                    Estimate big = Estimator.estimate(
                            with(r, r.batch() * 4, r.resolutionPx(), r.seqLenTokens(), r.precision()));
                    if (big.peakPhase().equals("forward/backward") || r.mode() == Mode.INFERENCE) {
                        assertThat(big.deviceBytes()).isGreaterThan(base);
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> componentsAddUpToTheTotals() {
        return spread().stream()
                .map(r -> DynamicTest.dynamicTest(name(r), () -> {
                    Estimate e = Estimator.estimate(r);
                    long sum = e.breakdown().values().stream()
                            .mapToLong(Long::longValue)
                            .sum();
                    assertThat(sum).isEqualTo(e.deviceBytes());
                    assertThat(e.breakdown().values())
                            .allSatisfy(v -> assertThat(v).isNotNegative());
                    assertThat(e.peakAllocatedBytes())
                            .isLessThanOrEqualTo(e.reservedBytes())
                            .isLessThan(e.deviceBytes());
                }));
    }

    /**
     * A lower precision never needs more memory: along fp32 → bf16 → int8 → int4 (stored width halves) and
     * amp-bf16 → bf16 (the fp32 master copy goes). fp32 → amp is not such a step: autocast adds 16-bit
     * copies of the weights, which a weight-dominated job feels.
     */
    @TestFactory
    Stream<DynamicTest> aLowerPrecisionNeverNeedsMore() {
        List<List<Precision>> chains = List.of(
                List.of(Precision.FP32, Precision.BF16, Precision.INT8, Precision.INT4),
                List.of(Precision.AMP_BF16, Precision.BF16),
                List.of(Precision.FP16, Precision.FP8));
        return spread().stream()
                .filter(r -> r.precision() == Precision.BF16)
                .map(r -> DynamicTest.dynamicTest(name(r), () -> {
                    for (List<Precision> chain : chains) {
                        long prev = Long.MAX_VALUE;
                        for (Precision p : chain) {
                            long now = Estimator.estimate(with(r, r.batch(), r.resolutionPx(), r.seqLenTokens(), p))
                                    .deviceBytes();
                            assertThat(now).as("%s after %s", p, chain).isLessThanOrEqualTo(prev);
                            prev = now;
                        }
                    }
                }));
    }

    /**
     * Thousands of random accepted inputs: never NaN, never negative, totals exactly the sums of their parts; or a
     * refusal, only when something is beyond 1 PiB.
     */
    @Test
    void randomAcceptedInputsGiveSaneEstimates() {
        Random rnd = new Random(42);
        int refused = 0;
        List<Model> models = List.copyOf(Shipped.catalog().models().values());
        List<Gpu> gpus = List.copyOf(Shipped.catalog().gpus().values());
        for (int i = 0; i < 3000; i++) {
            Model m = models.get(rnd.nextInt(models.size()));
            Mode mode = rnd.nextBoolean() ? Mode.TRAIN : Mode.INFERENCE;
            Precision p = Precision.values()[rnd.nextInt(Precision.values().length)];
            Finetune ft = mode == Mode.TRAIN && !m.vision() ? Finetune.values()[rnd.nextInt(3)] : Finetune.FULL;
            int batch = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : EstimateRequest.MAX_BATCH);
            Integer res = m.vision() ? 32 + rnd.nextInt(16384 - 32) : null;
            Integer seq = m.vision() ? null : 1 + rnd.nextInt(1 << 21);
            Setup setup = new Setup(
                    ft,
                    rnd.nextBoolean() ? null : (long) rnd.nextInt(1 << 30),
                    rnd.nextBoolean() ? null : 1 + rnd.nextInt(512),
                    rnd.nextBoolean(),
                    rnd.nextBoolean(),
                    rnd.nextBoolean(),
                    null);
            Estimate e;
            try {
                e = Estimator.estimate(new EstimateRequest(
                        m,
                        gpus.get(rnd.nextInt(gpus.size())),
                        mode,
                        p,
                        batch,
                        res,
                        seq,
                        Optimizer.values()[rnd.nextInt(Optimizer.values().length)],
                        setup));
            } catch (EstimateTooLargeException x) {
                assertThat(Math.max(x.componentBytes(), x.totalBytes()))
                        .isGreaterThan((double) Limits.MAX_ESTIMATE_BYTES);
                refused++;
                continue;
            }
            EstimateBoundTest.assertExact(e, "random input " + i);
            assertThat(e.peakAllocatedBytes()).isPositive().isLessThanOrEqualTo(e.reservedBytes());
            assertThat(e.reservedBytes()).isLessThanOrEqualTo(e.deviceBytes());
            assertThat(e.utilization()).isFinite().isPositive();
        }
        assertThat(refused).isBetween(1, 2000);
    }

    @Test
    void absurdInputsAreRefusedNotSaturated() {
        assertThatThrownBy(() -> text(
                        "llama-2-70b", Mode.TRAIN, Precision.FP32, EstimateRequest.MAX_BATCH, 1 << 21, Optimizer.ADAMW))
                .isInstanceOf(EstimateTooLargeException.class)
                .hasMessageStartingWith(
                        "the estimate exceeds 1 PiB (no GPU holds that much): the activations alone would take ");
    }

    @Test
    void maxBatchIsTheLargestThatFits() {
        EstimateRequest r = new EstimateRequest(
                model("yolov8s"), gpu("t4"), Mode.TRAIN, Precision.AMP_FP16, 1, 640, null, Optimizer.SGD, true);
        long budget = gpu("t4").usableBytes();
        int b = Estimator.maxBatch(r, budget, EstimateRequest.MAX_BATCH);
        assertThat(b).isPositive();
        assertThat(Estimator.estimate(r.withBatch(b)).deviceBytes()).isLessThanOrEqualTo(budget);
        assertThat(Estimator.estimate(r.withBatch(b + 1)).deviceBytes()).isGreaterThan(budget);
    }
}
