package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vramplan.Shipped;
import dev.vramplan.store.PlanStore;
import dev.vramplan.store.StoredCell;
import dev.vramplan.store.StoredRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs as the team's record: listing, reproducing, comparing, exporting; and a killed planner loses nothing. */
class HistoryTest {
    static final String MINIMAL = "src/test/resources/catalogs/minimal";

    @TempDir
    Path tmp;

    @Test
    void planningTheSameInputsTwiceGivesTheSamePlanAndNoDiff() throws Exception {
        String db = tmp.resolve("db").toString();
        assertThat(CliTest.run("plan", "--catalog", MINIMAL, "--db", db).code()).isZero();
        assertThat(CliTest.run("plan", "--catalog", MINIMAL, "--db", db).code()).isZero();
        try (PlanStore s = PlanStore.open(db)) {
            List<StoredRun> runs = s.runs();
            assertThat(runs).hasSize(2);
            assertThat(runs.get(0).catalogSha())
                    .isEqualTo(runs.get(1).catalogSha())
                    .hasSize(64);
            assertThat(runs.get(0).rulesSha()).isEqualTo(runs.get(1).rulesSha()).hasSize(64);
            List<StoredCell> a = s.cells(1, null, null, null, true);
            List<StoredCell> b = s.cells(2, null, null, null, true);
            assertThat(b)
                    .usingRecursiveFieldByFieldElementComparatorIgnoringFields("runId")
                    .isEqualTo(a);
        }
        CliTest.Result diff = CliTest.run("diff", "1", "2", "--db", db);
        assertThat(diff.code()).isZero();
        assertThat(diff.out()).endsWith("0 of the cells changed\n");
    }

    @Test
    void diffNamesTheRuleOrCatalogEntryThatChanged() throws Exception {
        String db = tmp.resolve("db").toString();
        Path rules = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        Path catalog = Shipped.copy(Path.of(MINIMAL), tmp.resolve("catalog"));
        assertThat(CliTest.run("plan", "--catalog", catalog.toString(), "--rules", rules.toString(), "--db", db)
                        .code())
                .isZero();
        Shipped.edit(
                rules.resolve("memory.drl"), "rule \"Keep 10% of memory free\"", "rule \"Keep 40% of memory free\"");
        Shipped.edit(
                rules.resolve("memory.drl"), "deviceBytes > usableBytes * 0.90", "deviceBytes > usableBytes * 0.60");
        assertThat(CliTest.run("plan", "--catalog", catalog.toString(), "--rules", rules.toString(), "--db", db)
                        .code())
                .isZero();
        Shipped.edit(catalog.resolve("gpus.yaml"), "usable_memory: 15109 MiB", "usable_memory: 7000 MiB");
        assertThat(CliTest.run("plan", "--catalog", catalog.toString(), "--rules", rules.toString(), "--db", db)
                        .code())
                .isZero();

        JsonNode rulesDiff = new ObjectMapper()
                .readTree(CliTest.run("diff", "1", "2", "--format", "json", "--db", db)
                        .out());
        assertThat(rulesDiff.size()).isPositive();
        assertThat(rulesDiff.get(0).get("causes").get(0).asText())
                .startsWith("rules changed: decided by ")
                .contains("now deciding: Keep 40% of memory free");
        JsonNode catalogDiff = new ObjectMapper()
                .readTree(CliTest.run("diff", "2", "3", "--format", "json", "--db", db)
                        .out());
        assertThat(catalogDiff).isNotEmpty().allSatisfy(c -> {
            assertThat(c.get("gpu").asText()).isEqualTo("t4");
            assertThat(c.get("causes").toString()).contains("catalog: gpu t4 changed");
        });
        CliTest.Result table = CliTest.run("diff", "1", "3", "--db", db);
        assertThat(table.out()).contains("run 1", "run 3", "because");
        assertThat(CliTest.run("diff", "1", "9", "--db", db).err())
                .isEqualTo("RUN_B: there is no run 9 in the database\n");
    }

    @Test
    void runsExportAndMatrix() throws Exception {
        String db = tmp.resolve("db").toString();
        assertThat(CliTest.run("plan", "--catalog", MINIMAL, "--db", db).code()).isZero();
        CliTest.Result runs = CliTest.run("runs", "--db", db);
        assertThat(runs.out()).contains("run", "feasible", "infeasible", MINIMAL);
        JsonNode rj = new ObjectMapper()
                .readTree(CliTest.run("runs", "--format", "json", "--db", db).out());
        assertThat(rj.get(0).get("run").asLong()).isEqualTo(1);
        for (String k : List.of(
                "started_at",
                "user",
                "host",
                "catalog_sha",
                "rules_sha",
                "tool_version",
                "cells",
                "feasible",
                "infeasible")) {
            assertThat(rj.get(0).has(k)).as(k).isTrue();
        }
        CliTest.Result csv = CliTest.run("export", "--run", "1", "--format", "csv", "--db", db);
        List<String> lines = csv.out().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0))
                .startsWith("run,gpu,workload,model,mode,feasible")
                .contains("activations_bytes", "weights_bytes")
                .contains(",grad_accum_steps,gpus,strategy,offload,max_concurrent_sequences,peak_allocated_bytes,")
                .contains(",device_bytes,device_bytes_high,usable_bytes,");
        // a feasible cell says on how many cards and how, like query's JSON
        List<String> header = List.of(lines.get(0).split(","));
        List<String> feasibleRow = lines.stream()
                .skip(1)
                .filter(l -> l.split(",")[header.indexOf("feasible")].equals("true"))
                .findFirst()
                .map(l -> List.of(l.split(",")))
                .orElseThrow();
        assertThat(feasibleRow.get(header.indexOf("gpus"))).isEqualTo("1");
        assertThat(feasibleRow.get(header.indexOf("strategy"))).isEqualTo("single");
        JsonNode ej = new ObjectMapper()
                .readTree(CliTest.run("export", "--format", "json", "--db", db).out());
        assertThat(ej).hasSize(4);
        assertThat(ej.get(0).get("breakdown").get("weights").asLong()).isPositive();
        CliTest.Result matrix = CliTest.run("query", "--matrix", "--db", db);
        assertThat(matrix.code()).isZero();
        assertThat(matrix.out().lines().findFirst().orElse("")).contains("workload", "t4", "a100-sxm4-80gb");
        assertThat(matrix.out()).contains("yolov8n-train", "llama-serve");
    }

    /** A planner killed with SIGKILL mid-run leaves no partial run and every earlier run intact. */
    @Test
    void aKilledPlannerLeavesNoPartialRun() throws Exception {
        String db = tmp.resolve("db").toString();
        assertThat(CliTest.run("plan", "--catalog", MINIMAL, "--db", db).code()).isZero();
        for (int delayMs : new int[] {2500, 4000, 5500}) {
            Process child = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            "dev.vramplan.cli.Main",
                            "plan",
                            "--catalog",
                            "catalog",
                            "--db",
                            db)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            Thread.sleep(delayMs);
            child.destroyForcibly(); // SIGKILL on Linux
            child.waitFor();
            try (PlanStore s = PlanStore.open(db)) {
                List<StoredRun> runs = s.runs();
                assertThat(runs.get(runs.size() - 1).id()).isEqualTo(1);
                for (StoredRun r : runs) {
                    assertThat(s.cells(r.id(), null, null, null, false))
                            .as("run %d", r.id())
                            .hasSize(r.cells());
                }
                assertThat(s.cells(1, null, null, null, false)).hasSize(4);
            }
        }
    }
}
