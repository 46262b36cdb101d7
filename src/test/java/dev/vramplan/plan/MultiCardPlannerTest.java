package dev.vramplan.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Engine;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Workload;
import dev.vramplan.rules.JavaPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fleet: eight A100 80GB and four H100, an 8B full fine-tune, a detector, a 70B server and a vLLM server. */
class MultiCardPlannerTest {
    static Catalog fleet;
    static PlanResult plan;

    static Workload workload(
            String id,
            String model,
            Mode mode,
            Integer res,
            Integer seq,
            Optimizer o,
            int global,
            List<Precision> precisions,
            Engine engine) {
        return new Workload(
                id,
                model,
                mode,
                res,
                seq,
                o,
                global,
                "team",
                "normal",
                false,
                precisions,
                Finetune.FULL,
                null,
                null,
                false,
                true,
                false,
                null,
                null,
                null,
                engine,
                Workload.DEFAULT_GPU_MEMORY_UTILIZATION);
    }

    @BeforeAll
    static void planIt() {
        Catalog s = Shipped.catalog();
        Map<String, Integer> cards = new LinkedHashMap<>();
        cards.put("a100-sxm4-80gb", 8);
        cards.put("h100-sxm-80gb", 4);
        List<Workload> w = List.of(
                workload(
                        "llama8b-full",
                        "llama-3-8b",
                        Mode.TRAIN,
                        null,
                        2048,
                        Optimizer.ADAMW,
                        64,
                        List.of(Precision.AMP_BF16),
                        Engine.HF),
                workload("yolo", "yolov8s", Mode.TRAIN, 640, null, Optimizer.SGD, 64, List.of(), Engine.HF),
                workload(
                        "llama70b-serve",
                        "llama-2-70b",
                        Mode.INFERENCE,
                        null,
                        4096,
                        Optimizer.NONE,
                        0,
                        List.of(Precision.BF16),
                        Engine.HF),
                workload(
                        "llama8b-vllm",
                        "llama-3-8b",
                        Mode.INFERENCE,
                        null,
                        8192,
                        Optimizer.NONE,
                        0,
                        List.of(),
                        Engine.VLLM));
        fleet = new Catalog(s.gpus(), s.models(), cards, w, s.calibrations());
        plan = new Planner(Shipped.rules()).plan(fleet);
    }

    static CellPlan cell(String gpu, String workload) {
        return plan.cells().stream()
                .filter(c -> c.gpuId().equals(gpu) && c.workloadId().equals(workload))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void anEightBFullFineTunePlansOnTheFewestShardedCardsThatFit() {
        CellPlan c = cell("a100-sxm4-80gb", "llama8b-full");
        assertThat(c.feasible()).isTrue();
        assertThat(c.gpus()).isEqualTo(4);
        assertThat(c.strategy()).isEqualTo("zero2");
        // batch x cards x accumulation keeps the global batch of 64
        assertThat(c.batch() * c.gpus() * c.gradAccumSteps()).isEqualTo(64);
        // why two cards lost: the layout on two that came closest (zero3, the least memory) is in the trail, rejected
        // for memory; the others, which need more, are not handed to the rules (LazySearch)
        assertThat(c.trail())
                .filteredOn(d -> "2 × zero3".equals(d.layout()) && d.kind() == Decision.Kind.REJECT)
                .extracting(Decision::rule)
                .contains("A job must fit in the card's memory");
        assertThat(c.trail())
                .filteredOn(d -> "2 × ddp".equals(d.layout()) && d.kind() == Decision.Kind.REJECT)
                .isEmpty();
        assertThat(c.trail())
                .filteredOn(d -> d.kind() == Decision.Kind.REJECT && d.layout() == null && d.batch() != null)
                .as("one card")
                .isNotEmpty();
    }

    @Test
    void aDetectorStaysOnOneCard() {
        CellPlan c = cell("a100-sxm4-80gb", "yolo");
        assertThat(c.gpus()).isEqualTo(1);
        assertThat(c.strategy()).isEqualTo("single");
    }

    @Test
    void aSeventyBModelServesOnFourH100sWithTensorParallelism() {
        CellPlan c = cell("h100-sxm-80gb", "llama70b-serve");
        assertThat(c.feasible()).isTrue();
        assertThat(c.gpus()).isEqualTo(4);
        assertThat(c.strategy()).isEqualTo("tp");
    }

    @Test
    void aVllmWorkloadReportsItsConcurrency() {
        CellPlan c = cell("a100-sxm4-80gb", "llama8b-vllm");
        assertThat(c.maxConcurrentSequences()).isEqualTo(c.batch()).isGreaterThan(10);
        assertThat(c.utilization()).isLessThanOrEqualTo(0.9);
        assertThat(cell("a100-sxm4-80gb", "yolo").maxConcurrentSequences()).isNull();
    }

    @Test
    void theLazySearchChoosesWhatTheExhaustiveSearchChooses() {
        PlanResult full = new Planner(Shipped.rules()).exhaustive(true).plan(fleet);
        assertThat(plan.cells().stream().map(CellPlan::outcome).toList())
                .isEqualTo(full.cells().stream().map(CellPlan::outcome).toList());
        assertThat(plan.candidates()).isLessThan(full.candidates());
    }

    @Test
    void theJavaTwinDecidesAsTheRules() {
        PlanResult java = new Planner(JavaPolicy::new).plan(fleet);
        assertThat(java.cells().stream().map(CellPlan::outcome).toList())
                .isEqualTo(plan.cells().stream().map(CellPlan::outcome).toList());
    }
}
