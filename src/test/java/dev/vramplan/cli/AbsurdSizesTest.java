package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vramplan.Shipped;
import dev.vramplan.catalog.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #15 item 10: absurd sizes are refused with one line naming what is too large (exit 2), never estimated as a
 * saturated total that its breakdown does not add up to; the planner stores no such candidate.
 */
class AbsurdSizesTest {
    static final Path MINIMAL = Path.of("src/test/resources/catalogs/minimal");

    static List<String> estimate(String... args) {
        List<String> all = new ArrayList<>(List.of("estimate"));
        all.addAll(List.of(args));
        return all;
    }

    /** Exit 2, nothing on standard output, exactly this one line on standard error. */
    static void refused(List<String> args, String line) {
        CliTest.Result r = CliTest.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(line + "\n");
    }

    @Test
    void estimateRefusesWhatNoCardCouldHold() {
        refused(
                estimate(
                        "--model",
                        "vit-b16",
                        "--gpu",
                        "h100-sxm-80gb",
                        "--mode",
                        "train",
                        "--precision",
                        "bf16",
                        "--batch",
                        "1048576",
                        "--resolution",
                        "16384"),
                "--batch 1048576 with --resolution 16384: the estimate exceeds 1 PiB (no GPU holds that much): "
                        + "the activations alone would take 309.56 PiB; give smaller values");
        refused(
                estimate(
                        "--model",
                        "yolov8s",
                        "--gpu",
                        "t4",
                        "--mode",
                        "train",
                        "--precision",
                        "amp-fp16",
                        "--batch",
                        "1048576",
                        "--resolution",
                        "16384",
                        "--format",
                        "json"),
                "--batch 1048576 with --resolution 16384: the estimate exceeds 1 PiB (no GPU holds that much): "
                        + "the activations alone would take 119.16 PiB; give smaller values");
        refused(
                estimate(
                        "--model",
                        "llama-2-70b",
                        "--gpu",
                        "t4",
                        "--mode",
                        "inference",
                        "--precision",
                        "fp32",
                        "--batch",
                        "1048576",
                        "--seq-len",
                        "2097152"),
                "--batch 1048576 with --seq-len 2097152: the estimate exceeds 1 PiB (no GPU holds that much): "
                        + "the KV cache alone would take 1.25 EiB; give smaller values");
        // one sample is already beyond: the batch is not to blame
        refused(
                estimate(
                        "--model",
                        "llama-3.2-1b",
                        "--gpu",
                        "a100-sxm4-80gb",
                        "--mode",
                        "train",
                        "--precision",
                        "bf16",
                        "--batch",
                        "4",
                        "--seq-len",
                        "2097152",
                        "--no-flash-attention"),
                "--seq-len 2097152: the estimate exceeds 1 PiB (no GPU holds that much): "
                        + "the activations alone would take 16.01 PiB; give a smaller value");
    }

    @Test
    void sizeOptionsOutOfRangeNameTheOptionAndTheRange() {
        String[] text = {"--model", "llama-2-7b", "--gpu", "a100-sxm4-80gb", "--mode", "train", "--precision", "bf16"};
        String[] image = {"--model", "vit-b16", "--gpu", "a100-sxm4-80gb", "--mode", "train", "--precision", "bf16"};
        refused(
                with(text, "--batch", "0", "--seq-len", "512"),
                "--batch: 0 is out of range: it must be between 1 and 1048576");
        refused(
                with(text, "--batch", "1048577", "--seq-len", "512"),
                "--batch: 1048577 is out of range: it must be between 1 and 1048576");
        refused(
                with(text, "--batch", "1", "--seq-len", "2097153"),
                "--seq-len: 2097153 is out of range: it must be between 1 and 2097152");
        refused(
                with(text, "--batch", "1", "--seq-len", "0"),
                "--seq-len: 0 is out of range: it must be between 1 and 2097152");
        refused(
                with(image, "--batch", "1", "--resolution", "16385"),
                "--resolution: 16385 is out of range: it must be between 32 and 16384");
        refused(
                with(image, "--batch", "1", "--resolution", "31"),
                "--resolution: 31 is out of range: it must be between 32 and 16384");
        refused(
                with(
                        text,
                        "--batch",
                        "1",
                        "--seq-len",
                        "512",
                        "--finetune",
                        "lora",
                        "--trainable-params",
                        "9223372036854775807"),
                "--trainable-params: 9223372036854775807 is out of range: it must be between 0 and 10000000000000");
        refused(
                with(text, "--batch", "1", "--seq-len", "512", "--finetune", "lora", "--trainable-params", "-1"),
                "--trainable-params: -1 is out of range: it must be between 0 and 10000000000000");
        refused(
                with(text, "--batch", "1", "--seq-len", "512", "--finetune", "lora", "--lora-rank", "65537"),
                "--lora-rank: 65537 is out of range: it must be between 1 and 65536");
        // the bounds themselves are accepted
        CliTest.Result top = CliTest.run(with(
                        text,
                        "--batch",
                        "1",
                        "--seq-len",
                        "512",
                        "--finetune",
                        "lora",
                        "--trainable-params",
                        "10000000000000")
                .toArray(String[]::new));
        assertThat(top.code()).as(top.err()).isZero();
        assertThat(top.out()).contains("does not fit");
    }

    static List<String> with(String[] base, String... more) {
        List<String> l = new ArrayList<>(List.of("estimate"));
        l.addAll(List.of(base));
        l.addAll(List.of(more));
        return l;
    }

    /** Large but within the bound: an honest "does not fit", whose totals are the sums of the breakdown. */
    @Test
    void aHugeEstimateWithinTheBoundAddsUp() throws Exception {
        for (List<String> args : List.of(
                estimate(
                        "--model",
                        "yolov8s",
                        "--gpu",
                        "t4",
                        "--mode",
                        "train",
                        "--precision",
                        "amp-fp16",
                        "--batch",
                        "1048576",
                        "--resolution",
                        "640",
                        "--ema",
                        "--format",
                        "json"),
                estimate(
                        "--model",
                        "vit-b16",
                        "--gpu",
                        "h100-sxm-80gb",
                        "--mode",
                        "train",
                        "--precision",
                        "fp32",
                        "--batch",
                        "1",
                        "--resolution",
                        "16384",
                        "--no-flash-attention",
                        "--format",
                        "json"),
                estimate(
                        "--model",
                        "llama-2-70b",
                        "--gpu",
                        "t4",
                        "--mode",
                        "train",
                        "--precision",
                        "bf16",
                        "--batch",
                        "1",
                        "--seq-len",
                        "4096",
                        "--finetune",
                        "lora",
                        "--trainable-params",
                        "10000000000000",
                        "--format",
                        "json"))) {
            CliTest.Result r = CliTest.run(args.toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode j = new ObjectMapper().readTree(r.out());
            long sum = 0;
            long tensors = 0;
            for (var e : (Iterable<Map.Entry<String, JsonNode>>)
                    () -> j.get("breakdown").fields()) {
                sum = Math.addExact(sum, e.getValue().asLong());
                if (!e.getKey().equals("allocator_cache") && !e.getKey().equals("runtime")) {
                    tensors = Math.addExact(tensors, e.getValue().asLong());
                }
            }
            assertThat(j.get("device_bytes").asLong())
                    .as(args.toString())
                    .isEqualTo(sum)
                    .isGreaterThan(1L << 40)
                    .isLessThanOrEqualTo(Limits.MAX_ESTIMATE_BYTES);
            assertThat(j.get("peak_allocated_bytes").asLong()).isEqualTo(tensors);
            assertThat(j.get("reserved_bytes").asLong())
                    .isEqualTo(
                            tensors + j.get("breakdown").get("allocator_cache").asLong());
            assertThat(j.get("fits").asBoolean()).isFalse();
        }
    }

    /** A model whose weights alone no card could hold (an architecture typed wrong) names the model. */
    @Test
    void aModelNoCardCouldHoldIsRefusedNamingTheModel(@TempDir Path tmp) throws IOException {
        Path cat = Shipped.copy(MINIMAL, tmp.resolve("catalog"));
        String models = Files.readString(cat.resolve("models.yaml"));
        String llama = models.substring(models.indexOf("  - id: llama-2-7b"));
        Files.writeString(
                cat.resolve("models.yaml"),
                models
                        + llama.replace("id: llama-2-7b", "id: llama-typo")
                                .replace("layers: 32", "layers: 1000")
                                .replace("hidden: 4096", "hidden: 1000000")
                                .replace("intermediate: 11008", "intermediate: 4000000"));
        assertThat(CliTest.run("catalog", "check", "--catalog", cat.toString()).code())
                .isZero();
        refused(
                estimate(
                        "--catalog",
                        cat.toString(),
                        "--model",
                        "llama-typo",
                        "--gpu",
                        "t4",
                        "--mode",
                        "inference",
                        "--precision",
                        "bf16",
                        "--batch",
                        "1",
                        "--seq-len",
                        "16"),
                "--model llama-typo: the estimate exceeds 1 PiB (no GPU holds that much): the weights alone would take "
                        + "28.42 PiB; check its architecture in the catalog");
    }

    /** A published measurement whose configuration no card could hold is the file's mistake, at its place. */
    @Test
    void aMeasurementNoCardCouldHoldIsRefusedAtItsPlace(@TempDir Path tmp) throws IOException {
        Path m = tmp.resolve("m.yaml");
        Files.writeString(
                m,
                """
                measurements:
                - id: absurd-vit
                  source: a typo
                  model: vit-b16
                  gpu: h100-sxm-80gb
                  mode: train
                  precision: bf16
                  batch: 1048576
                  resolution: 16384
                  measured: 70 GB
                  measure_kind: peak_allocated
                """);
        for (String[] command : List.of(
                new String[] {"validate"},
                new String[] {"calibrate", "--out", tmp.resolve("c.yaml").toString()})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(List.of("--measurements", m.toString(), "--catalog", "catalog"));
            CliTest.Result r = CliTest.run(args.toArray(String[]::new));
            assertThat(r.code()).as(args + ": " + r.err()).isEqualTo(2);
            assertThat(r.err())
                    .isEqualTo(
                            m + ":2:3: point \"absurd-vit\": batch 1048576 with resolution 16384: the estimate "
                                    + "exceeds 1 PiB (no GPU holds that much): the activations alone would take 309.56 PiB; give smaller values\n");
        }
    }

    /** fleet.yaml's workloads take the same bounds, with file:line:column. */
    @Test
    void fleetWorkloadsBeyondTheBoundsAreRefusedAtTheirPlace(@TempDir Path tmp) throws IOException {
        Path cat = Shipped.copy(MINIMAL, tmp.resolve("catalog"));
        Shipped.edit(cat.resolve("fleet.yaml"), "resolution: 640", "resolution: 16385");
        Shipped.edit(cat.resolve("fleet.yaml"), "seq_len: 4096", "seq_len: 2097153");
        Shipped.edit(
                cat.resolve("fleet.yaml"),
                "global_batch: 64",
                "global_batch: 64\n    lora_rank: 65537\n    trainable_params: 9223372036854775807");
        CliTest.Result r = CliTest.run("catalog", "check", "--catalog", cat.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().replace(cat.toString(), "CATALOG").lines().toList())
                .containsExactly(
                        "CATALOG/fleet.yaml:10:17: workloads[0].resolution: 16385 is out of range: it must be between 32 and 16384",
                        "CATALOG/fleet.yaml:13:16: workloads[0].lora_rank: 65537 is out of range: it must be between 1 and 65536",
                        "CATALOG/fleet.yaml:14:23: workloads[0].trainable_params: 9223372036854775807 is out of range: it must be between 0 and 10000000000000",
                        "CATALOG/fleet.yaml:18:14: workloads[1].seq_len: 2097153 is out of range: it must be between 1 and 2097152",
                        "4 problems in CATALOG");
    }

    /**
     * A workload no card could hold even at batch 1 (eager attention over 2M tokens), and a team rule asking for a
     * million samples per card: the planner proposes no batch beyond the bound, says why, and every rejected
     * candidate's memory is exact.
     */
    @Test
    void thePlannerNeverStoresACandidateBeyondTheBound(@TempDir Path tmp) throws Exception {
        Path cat = Shipped.copy(MINIMAL, tmp.resolve("catalog"));
        Files.writeString(
                cat.resolve("fleet.yaml"),
                Files.readString(cat.resolve("fleet.yaml"))
                        + "  - id: llama-2m\n    model: llama-2-7b\n    mode: train\n    seq_len: 2097152\n    flash_attention: false\n");
        String db = tmp.resolve("plans").toString();
        CliTest.Result plan = CliTest.run("plan", "--catalog", cat.toString(), "--rules", "rules", "--db", db);
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("llama-2m").contains("Estimates stop at 1 PiB");
        CliTest.Result q = CliTest.run(
                "query", "--model", "llama-2-7b", "--gpu", "t4", "--mode", "train", "--format", "json", "--db", db);
        JsonNode cell = new ObjectMapper().readTree(q.out()).get(0);
        assertThat(cell.get("feasible").asBoolean()).isFalse();
        assertThat(cell.get("rule").asText()).isEqualTo("Estimates stop at 1 PiB");
        assertThat(cell.get("reason").asText())
                .isEqualTo(
                        "nothing fits: for even the smallest candidate (2 × zero3 + offload optimizer+params, amp-fp16, 2097152 tokens, "
                                + "batch 1) the estimate exceeds 1 PiB (no GPU holds that much): the activations alone would take 8.01 PiB");
        assertDecisionsWithinTheBound(db, "llama-2-7b", "t4", "train");

        Path rules = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        Files.writeString(
                rules.resolve("team.drl"),
                """
                package vramplan.policy;

                import dev.vramplan.rules.*;

                rule "A million samples per card step"
                when
                    $cell : Cell()
                then
                    insert(Setting.minBatch(kcontext, $cell.getId(), 1048576, "our jobs take a million samples per step"));
                end
                """);
        String db2 = tmp.resolve("plans2").toString();
        CliTest.Result team =
                CliTest.run("plan", "--catalog", cat.toString(), "--rules", rules.toString(), "--db", db2);
        assertThat(team.code()).as(team.err()).isZero();
        // batch 1,048,576 of Llama 2 7B at 4096 tokens: a 2 PiB KV cache, never proposed
        CliTest.Result serve = CliTest.run(
                "query",
                "--model",
                "llama-2-7b",
                "--gpu",
                "a100-sxm4-80gb",
                "--mode",
                "inference",
                "--format",
                "json",
                "--db",
                db2);
        assertThat(new ObjectMapper().readTree(serve.out()).get(0).get("reason").asText())
                .isEqualTo(
                        "nothing fits: for even the smallest candidate (int8, 4096 tokens, batch 1048576) the estimate exceeds 1 PiB "
                                + "(no GPU holds that much): the KV cache alone would take 2.00 PiB");
        // batch 1,048,576 of YOLOv8n at 640 px: 200 TiB, within the bound: an exact "does not fit"
        CliTest.Result yolo = CliTest.run(
                "query", "--model", "yolov8n", "--gpu", "t4", "--mode", "train", "--format", "json", "--db", db2);
        assertThat(new ObjectMapper().readTree(yolo.out()).get(0).get("rule").asText())
                .isEqualTo("A job must fit in the card's memory");
        for (String[] c : new String[][] {{"llama-2-7b", "a100-sxm4-80gb", "inference"}, {"yolov8n", "t4", "train"}}) {
            assertDecisionsWithinTheBound(db2, c[0], c[1], c[2]);
        }
    }

    /** Every decision of the cell that carries memory carries an exact number within the bound. */
    static void assertDecisionsWithinTheBound(String db, String model, String gpu, String mode) throws Exception {
        CliTest.Result r =
                CliTest.run("explain", "--model", model, "--gpu", gpu, "--mode", mode, "--format", "json", "--db", db);
        JsonNode decisions = new ObjectMapper().readTree(r.out()).get(0).get("decisions");
        assertThat(decisions.size()).isGreaterThan(1);
        for (JsonNode d : decisions) {
            if (d.hasNonNull("device_bytes")) {
                assertThat(d.get("device_bytes").asLong())
                        .as(d.toString())
                        .isPositive()
                        .isLessThanOrEqualTo(Limits.MAX_ESTIMATE_BYTES);
            }
        }
    }
}
