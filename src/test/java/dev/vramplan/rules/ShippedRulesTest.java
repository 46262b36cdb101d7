package dev.vramplan.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Workload;
import dev.vramplan.plan.RuleFacts;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * One test per shipped rule, each with the case where it must fire and the twin where it must not. The
 * facts are what the planner inserts; the rules are the real DRL files in rules/.
 */
class ShippedRulesTest {
    static final Catalog C = Shipped.catalog();

    static Card card(String id) {
        return RuleFacts.card(C.gpu(id), 1);
    }

    static Job job(String model, Mode mode) {
        return job(model, mode, Finetune.FULL);
    }

    static Job job(String model, Mode mode, Finetune finetune) {
        return job(model, mode, finetune, "team", false);
    }

    static Job job(String model, Mode mode, Finetune finetune, String team, boolean production) {
        boolean vision = C.model(model).vision();
        Workload w = new Workload(
                "w",
                model,
                mode,
                vision ? 640 : null,
                vision ? null : 2048,
                mode == Mode.TRAIN ? Optimizer.ADAMW : Optimizer.NONE,
                64,
                team,
                "normal",
                production,
                List.of(),
                finetune,
                null,
                null,
                false,
                true,
                false,
                null);
        return RuleFacts.job(w, C.model(model));
    }

    static PrecisionOption option(String gpu, Precision p) {
        return option(gpu, p, "");
    }

    /** An option of a LoRA job whose adapters train in {@code adapterDtype} with this base precision. */
    static PrecisionOption option(String gpu, Precision p, String adapterDtype) {
        return PrecisionOption.of(gpu + "/w", gpu, "w", p, adapterDtype);
    }

    static long nextId = 1;

    static Candidate candidate(String gpu, Precision p, int res, int batch, double share) {
        long usable = C.gpu(gpu).usableBytes();
        return new Candidate(
                nextId++, gpu + "/w", gpu, "w", p.id(), p.rank(), res, 0, batch, (long) (usable * share), usable, true);
    }

    /** Fires the shipped rules over the facts; returns (rule name → reason) of every decision. */
    static List<String> fire(Object... facts) {
        try (PolicySession s = new PolicySession(Shipped.rules())) {
            for (Object f : facts) {
                s.insert(f);
            }
            s.fire();
            List<String> out = new ArrayList<>();
            s.facts(Rejection.class)
                    .forEach(r -> out.add("reject " + r.precision()
                            + (r.candidateId() >= 0 ? "#" + r.candidateId() : "") + ": " + r.rule()));
            s.facts(Setting.class).forEach(r -> out.add("set " + r.name() + "=" + r.value() + ": " + r.rule()));
            s.facts(Choice.class).forEach(r -> out.add("choose #" + r.candidateId() + ": " + r.rule()));
            s.facts(Accumulation.class).forEach(r -> out.add("accumulate " + r.steps() + ": " + r.rule()));
            return out;
        }
    }

    static List<String> rulesFired(Object... facts) {
        return fire(facts).stream()
                .map(s -> s.substring(s.indexOf(": ") + 2))
                .distinct()
                .toList();
    }

    @Test
    @Covers("A job must fit in the card's memory")
    void aJobMustFitInTheCardsMemory() {
        assertThat(rulesFired(job("yolov8s", Mode.TRAIN), candidate("t4", Precision.AMP_FP16, 640, 64, 1.01)))
                .contains("A job must fit in the card's memory");
        assertThat(rulesFired(job("yolov8s", Mode.TRAIN), candidate("t4", Precision.AMP_FP16, 640, 64, 0.99)))
                .doesNotContain("A job must fit in the card's memory");
    }

    /** A candidate whose estimate uses {@code share} of the card and the top of its band {@code highShare}. */
    static Candidate banded(String gpu, Precision p, int batch, double share, double highShare) {
        long usable = C.gpu(gpu).usableBytes();
        return new Candidate(
                nextId++,
                gpu + "/w",
                gpu,
                "w",
                p.id(),
                p.rank(),
                640,
                0,
                batch,
                (long) (usable * share),
                usable,
                true,
                (long) (usable * highShare));
    }

    @Test
    @Covers("Plan on the high end of the estimate")
    void planOnTheHighEndOfTheEstimate() {
        // the estimate leaves 30% free, but the top of its band passes the card: out of memory more than 1 time in 10
        try (PolicySession s = new PolicySession(Shipped.rules())) {
            s.insert(job("yolov8s", Mode.TRAIN));
            s.insert(banded("t4", Precision.AMP_FP16, 32, 0.70, 1.01));
            s.fire();
            assertThat(s.facts(Rejection.class)).singleElement().satisfies(r -> {
                assertThat(r.rule()).isEqualTo("Plan on the high end of the estimate");
                assertThat(r.reason())
                        .isEqualTo("its 90% band reaches 14.90 GiB (estimate 10.33 GiB), the card has 14.75 GiB");
            });
        }
        // just inside: the top of the band is 99% of the card (and the estimate within the 10% the team keeps free)
        assertThat(rulesFired(job("yolov8s", Mode.TRAIN), banded("t4", Precision.AMP_FP16, 32, 0.70, 0.99)))
                .doesNotContain("Plan on the high end of the estimate");
        // without a band the top is the estimate: the rule says nothing the card's own rule does not
        assertThat(rulesFired(job("yolov8s", Mode.TRAIN), candidate("t4", Precision.AMP_FP16, 640, 32, 0.99)))
                .doesNotContain("Plan on the high end of the estimate");
    }

    @Test
    @Covers("Keep 10% of memory free")
    void keep10PercentOfMemoryFree() {
        assertThat(rulesFired(job("yolov8s", Mode.TRAIN), candidate("t4", Precision.AMP_FP16, 640, 64, 0.91)))
                .containsExactly("Keep 10% of memory free");
        // just inside the budget: 89% of the card
        assertThat(rulesFired(job("yolov8s", Mode.TRAIN), candidate("t4", Precision.AMP_FP16, 640, 64, 0.89)))
                .doesNotContain("Keep 10% of memory free");
    }

    @Test
    @Covers("bf16 needs compute capability 8.0")
    void bf16NeedsComputeCapability8() {
        assertThat(rulesFired(card("t4"), job("llama-3.2-1b", Mode.TRAIN), option("t4", Precision.BF16)))
                .containsExactly("bf16 needs compute capability 8.0");
        assertThat(rulesFired(
                        card("v100-sxm2-16gb"),
                        job("llama-3.2-1b", Mode.TRAIN),
                        option("v100-sxm2-16gb", Precision.AMP_BF16)))
                .containsExactly("bf16 needs compute capability 8.0");
        assertThat(rulesFired(card("a10g"), job("llama-3.2-1b", Mode.TRAIN), option("a10g", Precision.BF16)))
                .isEmpty();
    }

    @Test
    @Covers("fp8 needs compute capability 8.9")
    void fp8NeedsComputeCapability89() {
        assertThat(rulesFired(
                        card("a100-sxm4-80gb"),
                        job("llama-3-8b", Mode.INFERENCE),
                        option("a100-sxm4-80gb", Precision.FP8)))
                .containsExactly("fp8 needs compute capability 8.9");
        assertThat(rulesFired(card("l4"), job("llama-3-8b", Mode.INFERENCE), option("l4", Precision.FP8)))
                .isEmpty();
        // an AMD card has no compute capability; its datasheet lists fp8
        assertThat(rulesFired(card("mi300x"), job("llama-3-8b", Mode.INFERENCE), option("mi300x", Precision.FP8)))
                .isEmpty();
    }

    @Test
    @Covers("Integer and fp8 precisions are for inference only")
    void integerAndFp8PrecisionsAreForInferenceOnly() {
        assertThat(rulesFired(
                        card("h100-sxm-80gb"), job("llama-3-8b", Mode.TRAIN), option("h100-sxm-80gb", Precision.INT4)))
                .containsExactly("Integer and fp8 precisions are for inference only");
        assertThat(rulesFired(
                        card("h100-sxm-80gb"), job("llama-3-8b", Mode.TRAIN), option("h100-sxm-80gb", Precision.FP8)))
                .containsExactly("Integer and fp8 precisions are for inference only");
        assertThat(rulesFired(
                        card("h100-sxm-80gb"),
                        job("llama-3-8b", Mode.INFERENCE),
                        option("h100-sxm-80gb", Precision.INT4)))
                .isEmpty();
    }

    @Test
    void qloraMayTrainOnAn4BitBaseButNothingLower() {
        assertThat(rulesFired(card("l4"), job("llama-3-8b", Mode.TRAIN, Finetune.QLORA), option("l4", Precision.INT4)))
                .isEmpty();
        assertThat(rulesFired(card("l4"), job("llama-3-8b", Mode.TRAIN, Finetune.QLORA), option("l4", Precision.INT8)))
                .contains("Integer and fp8 precisions are for inference only");
        assertThat(rulesFired(card("l4"), job("llama-3-8b", Mode.TRAIN, Finetune.LORA), option("l4", Precision.INT4)))
                .containsExactly("Integer and fp8 precisions are for inference only");
    }

    @Test
    @Covers("QLoRA keeps its frozen base in 4 bits")
    void qloraKeepsItsFrozenBaseIn4Bits() {
        assertThat(rulesFired(card("l4"), job("llama-3-8b", Mode.TRAIN, Finetune.QLORA), option("l4", Precision.BF16)))
                .containsExactly("QLoRA keeps its frozen base in 4 bits");
        assertThat(rulesFired(card("l4"), job("llama-3-8b", Mode.TRAIN, Finetune.LORA), option("l4", Precision.BF16)))
                .isEmpty();
    }

    @Test
    @Covers("A frozen LoRA base stays in 16 bits")
    void aFrozenLoraBaseStaysIn16Bits() {
        assertThat(rulesFired(
                        card("a100-sxm4-80gb"),
                        job("mistral-7b", Mode.TRAIN, Finetune.LORA),
                        option("a100-sxm4-80gb", Precision.AMP_BF16)))
                .containsExactly("A frozen LoRA base stays in 16 bits");
        assertThat(rulesFired(
                        card("a100-sxm4-80gb"),
                        job("mistral-7b", Mode.TRAIN, Finetune.FULL),
                        option("a100-sxm4-80gb", Precision.AMP_BF16)))
                .isEmpty();
    }

    @Test
    @Covers("16-bit precisions need 16-bit tensor units")
    void sixteenBitPrecisionsNeedSixteenBitTensorUnits() {
        assertThat(rulesFired(card("gtx-1080"), job("resnet50", Mode.TRAIN), option("gtx-1080", Precision.AMP_FP16)))
                .containsExactly("16-bit precisions need 16-bit tensor units");
        assertThat(rulesFired(card("t4"), job("resnet50", Mode.TRAIN), option("t4", Precision.AMP_FP16)))
                .isEmpty();
    }

    @Test
    @Covers("Use fp32 only on cards without 16-bit tensor units")
    void fp32OnlyOnCardsWithout16BitTensorUnits() {
        assertThat(rulesFired(card("t4"), job("resnet50", Mode.TRAIN), option("t4", Precision.FP32)))
                .containsExactly("Use fp32 only on cards without 16-bit tensor units");
        assertThat(rulesFired(
                        card("gtx-1060-6gb"), job("resnet50", Mode.TRAIN), option("gtx-1060-6gb", Precision.FP32)))
                .isEmpty();
    }

    @Test
    @Covers("Mixed precision is for training")
    void mixedPrecisionIsForTraining() {
        assertThat(rulesFired(card("l4"), job("llama-3-8b", Mode.INFERENCE), option("l4", Precision.AMP_BF16)))
                .containsExactly("Mixed precision is for training");
        assertThat(rulesFired(card("l4"), job("llama-3-8b", Mode.TRAIN), option("l4", Precision.AMP_BF16)))
                .isEmpty();
    }

    @Test
    @Covers("Training never below mixed precision or bf16")
    void trainingNeverBelowMixedPrecisionOrBf16ButLoraTrainsFp32AdaptersOnAnFp16Base() {
        assertThat(fire(card("t4"), job("llama-3.2-1b", Mode.TRAIN), option("t4", Precision.FP16)))
                .containsExactly("reject fp16: Training never below mixed precision or bf16");
        // a LoRA job on an fp16 frozen base keeps its adapters in fp32 (PEFT's default): allowed on a T4 and a V100
        for (String gpu : List.of("t4", "v100-sxm2-16gb")) {
            assertThat(rulesFired(
                            card(gpu),
                            job("llama-3.2-1b", Mode.TRAIN, Finetune.LORA),
                            option(gpu, Precision.FP16, "fp32")))
                    .isEmpty();
            // the other ways of training LoRA there stay refused
            assertThat(rulesFired(
                            card(gpu),
                            job("llama-3.2-1b", Mode.TRAIN, Finetune.LORA),
                            option(gpu, Precision.AMP_FP16, "fp32")))
                    .containsExactly("A frozen LoRA base stays in 16 bits");
        }
        // fp16 adapters are pure fp16 training
        assertThat(rulesFired(
                        card("t4"),
                        job("llama-3.2-1b", Mode.TRAIN, Finetune.LORA),
                        option("t4", Precision.FP16, "fp16")))
                .containsExactly("Training never below mixed precision or bf16");
        // serving in fp16 is fine
        assertThat(rulesFired(card("t4"), job("llama-3.2-1b", Mode.INFERENCE), option("t4", Precision.FP16)))
                .isEmpty();
    }

    @Test
    @Covers("A training batch never exceeds the global batch")
    void aTrainingBatchNeverExceedsTheGlobalBatch() {
        // job(...) has a global batch of 64
        assertThat(rulesFired(job("yolov8s", Mode.TRAIN), candidate("h200", Precision.AMP_BF16, 640, 128, 0.5)))
                .containsExactly("A training batch never exceeds the global batch");
        try (PolicySession s = new PolicySession(Shipped.rules())) {
            Candidate c = candidate("h200", Precision.AMP_BF16, 640, 512, 0.5);
            s.insert(job("yolov8s", Mode.TRAIN));
            s.insert(c);
            s.fire();
            assertThat(s.facts(Rejection.class)).singleElement().satisfies(r -> {
                assertThat(r.rule()).isEqualTo("A training batch never exceeds the global batch");
                assertThat(r.reason()).isEqualTo("batch 512 is above the global batch of 64");
            });
        }
        assertThat(rulesFired(job("yolov8s", Mode.TRAIN), candidate("h200", Precision.AMP_BF16, 640, 64, 0.5)))
                .doesNotContain("A training batch never exceeds the global batch");
        // serving has no global batch
        assertThat(rulesFired(job("yolov8s", Mode.INFERENCE), candidate("h200", Precision.BF16, 640, 512, 0.5)))
                .doesNotContain("A training batch never exceeds the global batch");
    }

    @Test
    @Covers("Batch sizes are powers of two")
    void batchSizesArePowersOfTwo() {
        assertThat(fire(new Cell("t4/w", "t4", "w"), job("llama-3-8b", Mode.INFERENCE)))
                .containsExactly("set batch_step=0: Batch sizes are powers of two");
        // it sets the ladder of a cell: without one (a candidate alone) it has nothing to set
        assertThat(rulesFired(job("llama-3-8b", Mode.INFERENCE), candidate("t4", Precision.FP16, 0, 8, 0.5)))
                .doesNotContain("Batch sizes are powers of two");
    }

    @Test
    @Covers("Train BatchNorm models with at least 8 samples per batch")
    void trainBatchNormModelsWithAtLeast8SamplesPerBatch() {
        assertThat(fire(new Cell("t4/w", "t4", "w"), job("resnet50", Mode.TRAIN)))
                .contains("set min_batch=8: Train BatchNorm models with at least 8 samples per batch");
        // not for serving, and not for transformers (LayerNorm does not depend on the batch)
        assertThat(rulesFired(new Cell("t4/w", "t4", "w"), job("resnet50", Mode.INFERENCE)))
                .doesNotContain("Train BatchNorm models with at least 8 samples per batch");
        assertThat(rulesFired(new Cell("t4/w", "t4", "w"), job("llama-3.2-1b", Mode.TRAIN)))
                .doesNotContain("Train BatchNorm models with at least 8 samples per batch");
    }

    @Test
    @Covers("Detector resolutions are multiples of the stride")
    void detectorResolutionsAreMultiplesOfTheStride() {
        assertThat(rulesFired(job("yolov8s", Mode.TRAIN), candidate("t4", Precision.AMP_FP16, 650, 8, 0.5)))
                .contains("Detector resolutions are multiples of the stride");
        assertThat(rulesFired(job("yolov8s", Mode.TRAIN), candidate("t4", Precision.AMP_FP16, 640, 8, 0.5)))
                .doesNotContain("Detector resolutions are multiples of the stride");
        // a classifier may take any size
        assertThat(rulesFired(job("resnet50", Mode.TRAIN), candidate("t4", Precision.AMP_FP16, 650, 8, 0.5)))
                .doesNotContain("Detector resolutions are multiples of the stride");
    }

    @Test
    @Covers("Prefer the fewest cards")
    void theChoicePrefersPrecisionThenInputThenBatchAmongSurvivors() {
        Candidate bestButTooBig = candidate("t4", Precision.AMP_FP16, 640, 64, 0.95);
        Candidate smallerBatch = candidate("t4", Precision.AMP_FP16, 640, 32, 0.60);
        Candidate lowerRes = candidate("t4", Precision.AMP_FP16, 608, 64, 0.80);
        Candidate lowerPrecision = candidate("t4", Precision.FP16, 640, 64, 0.70);
        assertThat(fire(job("yolov8s", Mode.TRAIN), bestButTooBig, smallerBatch, lowerRes, lowerPrecision))
                .contains("choose #" + smallerBatch.id() + ": Prefer the fewest cards")
                .filteredOn(s -> s.startsWith("choose"))
                .hasSize(1);
        // with nothing left, nothing is chosen
        assertThat(fire(job("yolov8s", Mode.TRAIN), candidate("t4", Precision.AMP_FP16, 640, 64, 0.95)))
                .noneMatch(s -> s.startsWith("choose"));
    }

    static LayoutOption layout(String gpu, int gpus, String strategy, String offload) {
        return new LayoutOption(gpu + "/w", gpu, "w", gpus, strategy, offload);
    }

    static Candidate onCards(
            String gpu, Precision p, int batch, double share, int gpus, String strategy, String offload) {
        long usable = C.gpu(gpu).usableBytes();
        return new Candidate(
                nextId++,
                gpu + "/w",
                gpu,
                "w",
                p.id(),
                p.rank(),
                0,
                2048,
                batch,
                (long) (usable * share),
                usable,
                true,
                gpus,
                strategy,
                offload);
    }

    @Test
    @Covers("Shard only within one server")
    void shardOnlyWithinOneServer() {
        Card eightPerServer = RuleFacts.card(C.gpu("a100-sxm4-80gb"), 16, 8);
        assertThat(fire(eightPerServer, job("llama-3-8b", Mode.TRAIN), layout("a100-sxm4-80gb", 16, "zero3", "none")))
                .contains("reject 16 × zero3: Shard only within one server");
        // just inside: all eight GPUs of one server
        assertThat(rulesFired(
                        eightPerServer, job("llama-3-8b", Mode.TRAIN), layout("a100-sxm4-80gb", 8, "zero3", "none")))
                .doesNotContain("Shard only within one server");
    }

    @Test
    @Covers("Tensor parallel is for serving")
    void tensorParallelIsForServing() {
        assertThat(fire(
                        card("h100-sxm-80gb"),
                        job("llama-2-70b", Mode.TRAIN),
                        layout("h100-sxm-80gb", 4, "tp", "none")))
                .contains("reject 4 × tp: Tensor parallel is for serving");
        assertThat(rulesFired(
                        card("h100-sxm-80gb"),
                        job("llama-2-70b", Mode.INFERENCE),
                        layout("h100-sxm-80gb", 4, "tp", "none")))
                .doesNotContain("Tensor parallel is for serving");
        assertThat(rulesFired(
                        card("h100-sxm-80gb"),
                        job("llama-2-70b", Mode.TRAIN),
                        layout("h100-sxm-80gb", 4, "zero3", "none")))
                .doesNotContain("Tensor parallel is for serving");
    }

    @Test
    @Covers("Offload only when nothing else fits")
    void offloadOnlyWhenNothingElseFits() {
        Candidate offloaded = onCards("a100-sxm4-80gb", Precision.AMP_BF16, 2, 0.6, 1, "zero2", "optimizer");
        Candidate sharded = onCards("a100-sxm4-80gb", Precision.AMP_BF16, 1, 0.7, 4, "zero3", "none");
        assertThat(fire(job("llama-3-8b", Mode.TRAIN), offloaded, sharded))
                .contains("reject amp-bf16#" + offloaded.id() + ": Offload only when nothing else fits")
                .contains("choose #" + sharded.id() + ": Prefer the fewest cards");
        // the layout without offload is too large: offloading is what is left
        Candidate tooBig = onCards("a100-sxm4-80gb", Precision.AMP_BF16, 1, 1.2, 4, "zero3", "none");
        assertThat(fire(job("llama-3-8b", Mode.TRAIN), offloaded, tooBig))
                .doesNotContain("reject amp-bf16#" + offloaded.id() + ": Offload only when nothing else fits")
                .contains("choose #" + offloaded.id() + ": Prefer the fewest cards");
    }

    @Test
    void preferTheFewestCardsThenPrecisionThenBatchThenTheSimplerStrategy() {
        Candidate eight = onCards("a100-sxm4-80gb", Precision.AMP_BF16, 8, 0.5, 8, "zero3", "none");
        Candidate four = onCards("a100-sxm4-80gb", Precision.BF16, 1, 0.8, 4, "zero3", "none");
        assertThat(fire(job("llama-3-8b", Mode.TRAIN), eight, four))
                .contains("choose #" + four.id() + ": Prefer the fewest cards")
                .filteredOn(s -> s.startsWith("choose"))
                .hasSize(1);
        // same cards, precision and batch: zero2 before zero3
        Candidate zero3 = onCards("a100-sxm4-80gb", Precision.AMP_BF16, 1, 0.7, 4, "zero3", "none");
        Candidate zero2 = onCards("a100-sxm4-80gb", Precision.AMP_BF16, 1, 0.8, 4, "zero2", "none");
        assertThat(fire(job("llama-3-8b", Mode.TRAIN), zero3, zero2))
                .contains("choose #" + zero2.id() + ": Prefer the fewest cards")
                .filteredOn(s -> s.startsWith("choose"))
                .hasSize(1);
        // a larger batch on the same cards wins over the simpler strategy
        Candidate zero3Batch2 = onCards("a100-sxm4-80gb", Precision.AMP_BF16, 2, 0.85, 4, "zero3", "none");
        assertThat(fire(job("llama-3-8b", Mode.TRAIN), zero3Batch2, zero2))
                .contains("choose #" + zero3Batch2.id() + ": Prefer the fewest cards");
    }

    @Test
    @Covers("A training batch never exceeds the global batch")
    void theGlobalBatchCountsEveryDataParallelCard() {
        // global batch 64: batch 16 on 4 GPUs is 64 samples per step, batch 32 on 4 is 128
        assertThat(rulesFired(
                        job("llama-3-8b", Mode.TRAIN),
                        onCards("a100-sxm4-80gb", Precision.AMP_BF16, 16, 0.5, 4, "zero3", "none")))
                .doesNotContain("A training batch never exceeds the global batch");
        assertThat(rulesFired(
                        job("llama-3-8b", Mode.TRAIN),
                        onCards("a100-sxm4-80gb", Precision.AMP_BF16, 32, 0.5, 4, "zero3", "none")))
                .contains("A training batch never exceeds the global batch");
    }

    @Test
    @Covers("Serving keeps 20% of memory free")
    void servingKeeps20PercentOfMemoryFree() {
        assertThat(rulesFired(job("llama-3-8b", Mode.INFERENCE), candidate("l4", Precision.BF16, 0, 8, 0.81)))
                .containsExactly("Serving keeps 20% of memory free");
        // just inside the serving budget; and training at the same share keeps only its own 10%
        assertThat(rulesFired(job("llama-3-8b", Mode.INFERENCE), candidate("l4", Precision.BF16, 0, 8, 0.79)))
                .doesNotContain("Serving keeps 20% of memory free");
        assertThat(rulesFired(job("llama-3-8b", Mode.TRAIN), candidate("l4", Precision.AMP_BF16, 0, 8, 0.85)))
                .doesNotContain("Serving keeps 20% of memory free");
    }

    @Test
    @Covers("Production serving never below int8")
    void productionServingNeverBelowInt8() {
        Job production = job("llama-3-8b", Mode.INFERENCE, Finetune.FULL, "team", true);
        assertThat(rulesFired(card("l4"), production, option("l4", Precision.INT4)))
                .containsExactly("Production serving never below int8");
        assertThat(rulesFired(card("l4"), production, option("l4", Precision.INT8)))
                .isEmpty();
        assertThat(rulesFired(card("l4"), job("llama-3-8b", Mode.INFERENCE), option("l4", Precision.INT4)))
                .isEmpty();
    }

    @Test
    @Covers("No consumer cards for production")
    void noConsumerCardsForProduction() {
        Job production = job("resnet50", Mode.INFERENCE, Finetune.FULL, "team", true);
        assertThat(rulesFired(card("gtx-1080"), production, option("gtx-1080", Precision.FP32)))
                .containsExactly("No consumer cards for production");
        assertThat(rulesFired(card("t4"), production, option("t4", Precision.FP16)))
                .isEmpty();
        assertThat(rulesFired(card("gtx-1080"), job("resnet50", Mode.INFERENCE), option("gtx-1080", Precision.FP32)))
                .isEmpty();
    }

    @Test
    @Covers("The vision team trains detectors at their target resolution")
    void theVisionTeamTrainsDetectorsAtTheirTargetResolution() {
        Job vision = job("yolov8s", Mode.TRAIN, Finetune.FULL, "vision", false);
        assertThat(rulesFired(vision, candidate("t4", Precision.AMP_FP16, 608, 8, 0.5)))
                .containsExactly("The vision team trains detectors at their target resolution");
        String rule = "The vision team trains detectors at their target resolution";
        assertThat(rulesFired(vision, candidate("t4", Precision.AMP_FP16, 640, 8, 0.5)))
                .doesNotContain(rule);
        // another team may shrink the input, and the vision team's classifiers too
        assertThat(rulesFired(job("yolov8s", Mode.TRAIN), candidate("t4", Precision.AMP_FP16, 608, 8, 0.5)))
                .doesNotContain(rule);
        assertThat(rulesFired(
                        job("resnet50", Mode.TRAIN, Finetune.FULL, "vision", false),
                        candidate("t4", Precision.AMP_FP16, 608, 8, 0.5)))
                .doesNotContain(rule);
    }

    @Test
    @Covers("Keep the global batch with gradient accumulation")
    void keepTheGlobalBatchWithGradientAccumulation() {
        // job(...) has a global batch of 64: a chosen batch of 16 accumulates 4 micro-batches per step
        assertThat(fire(job("yolov8s", Mode.TRAIN), candidate("t4", Precision.AMP_FP16, 640, 16, 0.5)))
                .contains("accumulate 4: Keep the global batch with gradient accumulation");
        assertThat(rulesFired(job("yolov8s", Mode.TRAIN), candidate("t4", Precision.AMP_FP16, 640, 64, 0.5)))
                .doesNotContain("Keep the global batch with gradient accumulation");
        assertThat(rulesFired(job("yolov8s", Mode.INFERENCE), candidate("t4", Precision.FP16, 640, 16, 0.5)))
                .doesNotContain("Keep the global batch with gradient accumulation");
    }

    /** Every rule shipped in rules/ has a test here that shows it firing and not firing ({@link Covers}). */
    @Test
    void everyShippedRuleHasATest() {
        Set<String> covered = new TreeSet<>();
        for (Method m : ShippedRulesTest.class.getDeclaredMethods()) {
            Covers c = m.getAnnotation(Covers.class);
            if (c != null) {
                covered.addAll(List.of(c.value()));
            }
        }
        assertThat(new TreeSet<>(Shipped.rules().ruleNames()))
                .as("shipped rules without a test in ShippedRulesTest")
                .isSubsetOf(covered);
        assertThat(covered)
                .as("tests naming a rule that is not shipped")
                .isSubsetOf(Shipped.rules().ruleNames());
    }
}
