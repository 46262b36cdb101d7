package dev.vramplan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fleet.yaml's per_node, and a workload's engine and gpu_memory_utilization: read strictly, with file:line:col. */
class FleetCardsTest {
    @TempDir
    Path tmp;

    private Path editing(String from, String to) {
        Path dir = Shipped.copy(CatalogLoaderTest.MINIMAL, tmp.resolve("c"));
        Shipped.edit(dir.resolve("fleet.yaml"), from, to);
        return dir;
    }

    private List<String> problems(Path dir) {
        return CatalogLoader.check(dir).stream()
                .map(p -> p.format().replace(dir.toString() + "/", ""))
                .toList();
    }

    @Test
    void perNodeDefaultsToTheCountUpToEight() {
        Catalog c = CatalogLoader.load(editing("count: 2", "count: 16"));
        assertThat(c.perNode("t4")).isEqualTo(8);
        assertThat(c.perNode("a100-sxm4-80gb")).isEqualTo(1);
        assertThat(c.perNode("l4")).as("a card not in the fleet").isZero();
    }

    @Test
    void perNodeIsRead() {
        Catalog c = CatalogLoader.load(editing("count: 2", "count: 16\n    per_node: 4"));
        assertThat(c.perNode("t4")).isEqualTo(4);
        assertThat(c.fleetCards().get("t4")).isEqualTo(16);
    }

    @Test
    void perNodeAboveTheCountIsRefused() {
        assertThat(problems(editing("count: 2", "count: 2\n    per_node: 4")))
                .containsExactly(
                        "fleet.yaml:4:15: cards[0].per_node: 4 GPUs per server is more than the fleet's count of 2");
    }

    @Test
    void aMisspeltPerNodeGetsASuggestion() {
        assertThat(problems(editing("count: 2", "count: 2\n    per_nodes: 2")))
                .containsExactly("fleet.yaml:4:5: cards[0].per_nodes: unknown field. Did you mean \"per_node\"?");
    }

    @Test
    void anEngineIsReadWithItsShareOfTheCard() {
        Catalog c = CatalogLoader.load(
                editing("    seq_len: 4096", "    seq_len: 4096\n    engine: vllm\n    gpu_memory_utilization: 0.85"));
        Workload w = c.workloads().get(1);
        assertThat(w.engine()).isEqualTo(Engine.VLLM);
        assertThat(w.gpuMemoryUtilization()).isEqualTo(0.85);
        assertThat(c.workloads().get(0).engine()).isEqualTo(Engine.HF);
        assertThat(c.workloads().get(0).gpuMemoryUtilization()).isEqualTo(0.9);
    }

    @Test
    void anUnknownEngineGetsASuggestion() {
        assertThat(problems(editing("    seq_len: 4096", "    seq_len: 4096\n    engine: vlm")))
                .containsExactly(
                        "fleet.yaml:17:13: workloads[1].engine: \"vlm\" is not one of hf, vllm. Did you mean \"vllm\"?");
    }

    @Test
    void aTrainingWorkloadHasNoEngine() {
        assertThat(problems(editing("    global_batch: 64", "    global_batch: 64\n    engine: vllm")))
                .containsExactly(
                        "fleet.yaml:13:13: workloads[0].engine: vllm serves models: a training workload has no engine");
    }

    @Test
    void aShareOfTheCardNeedsVllm() {
        assertThat(problems(editing("    seq_len: 4096", "    seq_len: 4096\n    gpu_memory_utilization: 0.8")))
                .containsExactly(
                        "fleet.yaml:17:29: workloads[1].gpu_memory_utilization: is the share of the card vllm takes:"
                                + " give engine: vllm, or remove it");
    }
}
