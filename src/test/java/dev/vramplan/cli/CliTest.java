package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vramplan.Shipped;
import dev.vramplan.store.PlanStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command and exit code, through the same entry point the jar uses. */
class CliTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    /** The version is written once, in pom.xml; --version prints it. */
    @Test
    void theVersionComesFromThePom() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>vramplan</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom);
        assertThat(m.find()).isTrue();
        Result r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo("vramplan " + m.group(1));
    }

    /** Without a command, every command is named (the list is the registered subcommands, so none is forgotten). */
    @Test
    void withoutACommandEveryCommandIsNamed() {
        Result r = run();
        assertThat(r.code()).isEqualTo(2);
        picocli.CommandLine cl = new picocli.CommandLine(new Main());
        for (String c : cl.getSubcommands().keySet()) {
            if (!c.equals("help")) {
                assertThat(r.err()).contains(c);
            }
        }
        assertThat(r.err()).contains("give a command: plan, query, explain, advise, estimate");
    }

    @TempDir
    static Path tmp;

    static String db;
    static Result planned;

    @BeforeAll
    static void plan() {
        db = tmp.resolve("plans").toString();
        planned = run("plan", "--catalog", "catalog", "--rules", "rules", "--db", db);
    }

    @Test
    void planPrintsTheTableAndTheRunId() {
        assertThat(planned.code()).as(planned.err()).isZero();
        assertThat(planned.out())
                .contains("gpu", "workload", "precision", "batch", "used")
                .contains("t4", "yolov8s-train")
                .containsPattern("run \\d+: \\d+ cells planned");
        assertThat(planned.err()).isEmpty();
    }

    @Test
    void queryPrintsTheStoredRecommendationAsJson() throws Exception {
        Result r = run("query", "--model", "yolov8s", "--gpu", "t4", "--mode", "train", "--format", "json", "--db", db);
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode list = new ObjectMapper().readTree(r.out());
        assertThat(list.isArray()).isTrue();
        assertThat(list).hasSize(1);
        JsonNode j = list.get(0);
        for (String key : List.of(
                "model",
                "gpu",
                "mode",
                "feasible",
                "precision",
                "batch",
                "resolution",
                "seq_len",
                "device_bytes",
                "usable_bytes",
                "rule",
                "reason")) {
            assertThat(j.has(key)).as(key).isTrue();
        }
        assertThat(j.get("model").asText()).isEqualTo("yolov8s");
        assertThat(j.get("gpu").asText()).isEqualTo("t4");
        assertThat(j.get("mode").asText()).isEqualTo("train");
        assertThat(j.get("feasible").asBoolean()).isTrue();
        assertThat(j.get("precision").asText()).isEqualTo("amp-fp16");
        assertThat(j.get("resolution").asInt()).isEqualTo(640);
        assertThat(j.get("seq_len").isNull()).isTrue();
        assertThat(j.get("device_bytes").asLong())
                .isLessThanOrEqualTo(j.get("usable_bytes").asLong());
    }

    @Test
    void queryAsTableAndCsv() {
        Result t = run("query", "--model", "resnet50", "--db", db);
        assertThat(t.code()).isZero();
        assertThat(t.out()).contains("resnet50-train", "resnet50-serve", "h100-sxm-80gb");
        Result c = run("query", "--model", "resnet50", "--gpu", "l4", "--format", "csv", "--db", db);
        assertThat(c.code()).isZero();
        assertThat(c.out().lines().toList())
                .hasSize(3)
                .first()
                .asString()
                .startsWith("model,gpu,workload,mode,feasible");
    }

    @Test
    void queryOfANonexistentRunIsInvalidInput() {
        Result r = run("query", "--model", "yolov8s", "--run", "999", "--db", db);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("--run: there is no run 999 in the database\n");
    }

    @Test
    void queryThatFindsNothingFeasibleExitsWith3() {
        // (on the shipped fleet every memory-bound job fits on several of its cards: a refused card is what is left)
        Result r = run("query", "--model", "llama-3-8b", "--gpu", "rtx-4090", "--mode", "inference", "--db", db);
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).startsWith("nothing feasible for model llama-3-8b on rtx-4090: no precision is allowed");
        Result none = run("query", "--model", "no-such-model", "--db", db);
        assertThat(none.code())
                .as("an id the run does not hold is a typo, not nothing feasible")
                .isEqualTo(2);
        assertThat(none.err()).isEqualTo("--model: no model \"no-such-model\" in run 1.\n");
    }

    @Test
    void queryBeforeAnyPlanSaysSo() {
        Path empty = tmp.resolve("empty");
        assertThat(run(
                                "plan",
                                "--catalog",
                                "catalog",
                                "--rules",
                                tmp.resolve("no-rules").toString(),
                                "--db",
                                empty.toString())
                        .code())
                .isEqualTo(2);
        try (PlanStore s = PlanStore.open(empty.toString())) {
            assertThat(s.runCount()).isZero(); // a database with its schema and no run
        }
        Result r = run("query", "--model", "yolov8s", "--db", empty.toString());
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("no plan is stored yet: run 'vramplan plan' first\n");
    }

    /** catalog list: ids and the facts that matter, as a table and as JSON; a typo in the list's name is named. */
    @Test
    void catalogListShowsCardsModelsAndWorkloads() throws Exception {
        Result all = run("catalog", "list", "--catalog", "catalog");
        assertThat(all.code()).as(all.err()).isZero();
        assertThat(all.out()).contains("gpus (", "models (", "workloads (", "h200", "yolov8s-train");
        Result gpus = run("catalog", "list", "gpus", "--format", "json", "--catalog", "catalog");
        JsonNode list = new ObjectMapper().readTree(gpus.out());
        JsonNode t4 = null;
        for (JsonNode g : list) {
            if (g.get("id").asText().equals("t4")) {
                t4 = g;
            }
        }
        assertThat(t4).isNotNull();
        assertThat(t4.get("memory_bytes").asLong()).isEqualTo(16_000_000_000L);
        assertThat(t4.get("usable_bytes").asLong()).isLessThan(16_000_000_000L);
        assertThat(t4.get("compute_capability").asDouble()).isEqualTo(7.5);
        assertThat(t4.get("in_fleet").asInt()).isEqualTo(16);
        JsonNode models = new ObjectMapper()
                .readTree(run("catalog", "list", "models", "--format", "json").out());
        assertThat(models).anySatisfy(m -> {
            assertThat(m.get("id").asText()).isEqualTo("llama-3-8b");
            assertThat(m.get("params").asLong()).isEqualTo(8_030_000_000L);
            assertThat(m.get("family").asText()).isEqualTo("llama");
        });
        JsonNode workloads = new ObjectMapper()
                .readTree(
                        run("catalog", "list", "workloads", "--format", "json").out());
        assertThat(workloads.get(0).get("id").asText()).isEqualTo("yolov8s-train");
        assertThat(workloads.get(0).get("global_batch").asInt()).isEqualTo(64);
        Result typo = run("catalog", "list", "gpu");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.out()).isEmpty();
        assertThat(typo.err())
                .isEqualTo(
                        "catalog list: \"gpu\" is not a list: use gpus, models or workloads. Did you mean \"gpus\"?\n");
    }

    /** Every command that reads or stores plans describes --db the same way (one mixin). */
    @Test
    void everyCommandDescribesItsDatabaseTheSameWay() {
        for (String command : List.of("plan", "query", "explain", "runs", "diff", "export")) {
            Result r = run(command, "--help");
            assertThat(r.code()).isZero();
            assertThat(r.out().replaceAll("\\s+", " "))
                    .as(command)
                    .contains(
                            "--db=PATH|URL where plans are stored: an H2 file path or a JDBC URL (default: $VRAMPLAN_DB, else db/vramplan)");
        }
    }

    /** --matrix honours every format query lists. */
    @Test
    void theMatrixInEveryFormat() throws Exception {
        Result csv = run("query", "--matrix", "--format", "csv", "--db", db);
        assertThat(csv.code()).as(csv.err()).isZero();
        List<String> lines = csv.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("workload,t4,l4,a10g,rtx-4090,v100-sxm2-16gb,a100-sxm4-80gb,h100-sxm-80gb");
        // planned on the top of the 90% band (rules/memory.drl "Plan on the high end of the estimate")
        assertThat(lines)
                .contains(
                        "yolov8s-train,32 amp-fp16,64 amp-bf16,64 amp-bf16,64 amp-bf16,32 amp-fp16,64 amp-bf16,64 amp-bf16");
        Result json = run("query", "--matrix", "--format", "json", "--db", db);
        assertThat(json.code()).as(json.err()).isZero();
        JsonNode rows = new ObjectMapper().readTree(json.out());
        assertThat(rows).hasSize(lines.size() - 1);
        JsonNode first = rows.get(0);
        assertThat(first.get("workload").asText()).isEqualTo("yolov8s-train");
        assertThat(first.get("model").asText()).isEqualTo("yolov8s");
        assertThat(first.get("mode").asText()).isEqualTo("train");
        assertThat(first.get("gpus").get("t4").get("batch").asInt()).isEqualTo(32);
        assertThat(first.get("gpus").get("t4").get("precision").asText()).isEqualTo("amp-fp16");
        assertThat(first.get("gpus").get("t4").get("feasible").asBoolean()).isTrue();
        Result table = run("query", "--matrix", "--db", db);
        assertThat(table.out()).startsWith("workload ").doesNotStartWith("[").doesNotContain(",");
    }

    @Test
    void runsShowTheSecondsEvenWhenTheyAreZero() {
        assertThat(RunsCommand.started(OffsetDateTime.of(2026, 12, 2, 9, 30, 0, 0, ZoneOffset.UTC)))
                .isEqualTo("2026-12-02T09:30:00");
        assertThat(RunsCommand.started(OffsetDateTime.of(2026, 12, 2, 10, 30, 5, 999_000_000, ZoneOffset.ofHours(1))))
                .isEqualTo("2026-12-02T09:30:05");
    }

    /** A typo in an id is invalid input with a suggestion, not "nothing feasible"; nothing on standard output. */
    @Test
    void unknownIdsInQueryAndExplainAreTyposWithSuggestions() {
        Result model = run("query", "--model", "yolov8ss", "--db", db);
        assertThat(model.code()).isEqualTo(2);
        assertThat(model.out()).isEmpty();
        assertThat(model.err()).isEqualTo("--model: no model \"yolov8ss\" in run 1. Did you mean \"yolov8s\"?\n");
        Result gpu = run("query", "--model", "yolov8s", "--gpu", "T4", "--format", "json", "--db", db);
        assertThat(gpu.code()).isEqualTo(2);
        assertThat(gpu.out()).isEmpty();
        assertThat(gpu.err()).isEqualTo("--gpu: no gpu \"T4\" in run 1. Did you mean \"t4\"?\n");
        Result explain = run("explain", "--model", "llama-3-8b", "--gpu", "a100", "--mode", "train", "--db", db);
        assertThat(explain.code()).isEqualTo(2);
        assertThat(explain.out()).isEmpty();
        assertThat(explain.err()).isEqualTo("--gpu: no gpu \"a100\" in run 1. Did you mean \"a100-sxm4-80gb\"?\n");
        Result both = run("query", "--model", "lama-3-8b", "--gpu", "h100", "--db", db);
        assertThat(both.err().lines().toList())
                .containsExactly(
                        "--model: no model \"lama-3-8b\" in run 1. Did you mean" + " \"llama-3-8b\"?",
                        "--gpu: no gpu \"h100\" in run 1. Did you mean \"h100-sxm-80gb\"?");
        Result known = run("query", "--model", "yolo11m", "--gpu", "t4", "--mode", "inference", "--db", db);
        assertThat(known.code()).as("known ids, nothing stored for them").isEqualTo(3);
        assertThat(known.out()).isEmpty();
        assertThat(known.err()).isEqualTo("no stored plan matches model yolo11m, gpu t4, mode inference\n");
    }

    /** A reading command never creates a database: a --db with a typo is named, and nothing appears there. */
    @Test
    void readingCommandsNeverCreateADatabase() {
        Path typo = tmp.resolve("typo").resolve("plnas");
        String message = "vramplan: " + typo + ": no database there (" + typo + ".mv.db does not exist): check --db (or"
                + " VRAMPLAN_DB), or run 'vramplan plan' to store a first plan there\n";
        for (String[] args : List.of(
                new String[] {"query", "--model", "yolov8s"},
                new String[] {"query", "--matrix"},
                new String[] {"runs"},
                new String[] {"diff", "1", "2"},
                new String[] {"export", "--run", "1"},
                new String[] {"explain", "--model", "yolov8s", "--gpu", "t4", "--mode", "train"})) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("--db", typo.toString()));
            Result r = run(all.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(3);
            assertThat(r.err()).as(String.join(" ", args)).isEqualTo(message);
            assertThat(r.out()).isEmpty();
        }
        assertThat(typo.getParent()).doesNotExist();
        String url = "jdbc:h2:file:" + typo;
        Result r = run("runs", "--db", url);
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err())
                .isEqualTo("vramplan: " + url + ": no database there: check --db (or VRAMPLAN_DB), or run"
                        + " 'vramplan plan' to store a first plan there\n");
        assertThat(typo.getParent()).doesNotExist();
    }

    @Test
    void explainShowsWinnerLosersAndRules() throws Exception {
        Result r = run("explain", "--model", "yolov8s", "--gpu", "t4", "--mode", "train", "--db", db);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains(
                        "chosen: amp-fp16, 640 px",
                        "Prefer the fewest cards",
                        "bf16 needs compute capability 8.0",
                        "Keep 10% of memory free",
                        "Batch sizes are powers of two",
                        "Train BatchNorm models with at least 8 samples per batch");
        Result j =
                run("explain", "--model", "yolov8s", "--gpu", "t4", "--mode", "train", "--format", "json", "--db", db);
        JsonNode d = new ObjectMapper().readTree(j.out()).get(0).get("decisions");
        assertThat(d.size()).isGreaterThan(3);
        assertThat(d.findValuesAsText("kind")).contains("setting", "reject", "choose");
    }

    @Test
    void estimatePrintsTheBreakdownAsJson() throws Exception {
        Result r = run(
                "estimate",
                "--model",
                "llama-2-7b",
                "--gpu",
                "a100-sxm4-80gb",
                "--mode",
                "inference",
                "--precision",
                "bf16",
                "--batch",
                "2",
                "--seq-len",
                "4096",
                "--format",
                "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        for (String key : List.of(
                "peak_allocated_bytes", "reserved_bytes", "device_bytes", "usable_bytes", "fits", "breakdown")) {
            assertThat(j.has(key)).as(key).isTrue();
        }
        assertThat(j.get("breakdown").get("weights").asLong()).isEqualTo(13_476_831_232L);
        assertThat(j.get("breakdown").get("kv_cache").asLong()).isEqualTo(4_294_967_296L);
        assertThat(j.get("fits").asBoolean()).isTrue();
        Result t = run(
                "estimate",
                "--model",
                "yolov8s",
                "--gpu",
                "t4",
                "--mode",
                "train",
                "--precision",
                "amp-fp16",
                "--batch",
                "16",
                "--resolution",
                "640",
                "--optimizer",
                "sgd");
        assertThat(t.code()).isZero();
        assertThat(t.out()).contains("activations", "device", "fits");
    }

    /** Issue #12 item 1: a LoRA job on an fp16 base keeps fp32 adapters (PEFT's default); --adapter-dtype says otherwise. */
    @Test
    void estimateModelsLoraAdaptersInFp32BesideAnFp16Base() throws Exception {
        String[] lora = {
            "estimate",
            "--model",
            "llama-3.2-1b",
            "--gpu",
            "t4",
            "--mode",
            "train",
            "--precision",
            "fp16",
            "--batch",
            "1",
            "--seq-len",
            "1024",
            "--finetune",
            "lora"
        };
        Result fp32 = run(lora);
        assertThat(fp32.code()).as(fp32.err()).isZero();
        assertThat(fp32.out())
                .startsWith("llama-3.2-1b on t4, train, fp16 base with fp32 adapters, batch 1, 1024 tokens, adamw:");
        JsonNode a = new ObjectMapper()
                .readTree(run(concat(lora, "--format", "json")).out());
        JsonNode b = new ObjectMapper()
                .readTree(run(concat(lora, "--format", "json", "--adapter-dtype", "fp16"))
                        .out());
        assertThat(a.get("adapter_dtype").asText()).isEqualTo("fp32");
        assertThat(b.get("adapter_dtype").asText()).isEqualTo("fp16");
        // gradients and AdamW's two states: 4 bytes per adapter parameter in fp32, 2 in fp16
        assertThat(a.get("breakdown").get("gradients").asLong())
                .isEqualTo(2 * b.get("breakdown").get("gradients").asLong());
        assertThat(a.get("breakdown").get("optimizer_states").asLong())
                .isEqualTo(2 * a.get("breakdown").get("gradients").asLong());
        Result bad = run(concat(lora, "--adapter-dtype", "int4"));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("--adapter-dtype: adapters train in fp32, bf16 or fp16, not int4\n");
        Result full = run(
                "estimate",
                "--model",
                "llama-3.2-1b",
                "--gpu",
                "t4",
                "--mode",
                "train",
                "--precision",
                "fp16",
                "--batch",
                "1",
                "--seq-len",
                "1024",
                "--adapter-dtype",
                "fp32");
        assertThat(full.code()).isEqualTo(2);
        assertThat(full.err()).isEqualTo("--adapter-dtype: only a lora or qlora training job has adapters\n");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void estimateRefusesTyposWithASuggestion() {
        Result r = run(
                "estimate",
                "--model",
                "yolov8s",
                "--gpu",
                "t4",
                "--mode",
                "train",
                "--precision",
                "bf61",
                "--batch",
                "16",
                "--resolution",
                "640");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo(
                        "--precision: \"bf61\" is not one of fp32, amp-bf16, amp-fp16, bf16, fp16, fp8, int8, int4. Did you mean \"bf16\"?\n");
        Result g = run(
                "estimate",
                "--model",
                "yolov8s",
                "--gpu",
                "t5",
                "--mode",
                "train",
                "--precision",
                "fp16",
                "--batch",
                "16",
                "--resolution",
                "640");
        assertThat(g.code()).isEqualTo(2);
        assertThat(g.err()).isEqualTo("--gpu: unknown gpu \"t5\". Did you mean \"t4\"?\n");
        Result seq = run(
                "estimate",
                "--model",
                "yolov8s",
                "--gpu",
                "t4",
                "--mode",
                "train",
                "--precision",
                "fp16",
                "--batch",
                "16",
                "--seq-len",
                "640");
        assertThat(seq.code()).isEqualTo(2);
        assertThat(seq.err()).isEqualTo("--seq-len: yolov8s takes images: give --resolution\n");
    }

    @Test
    void catalogCheckPassesOnTheShippedCatalogAndFailsWithEveryProblem(@TempDir Path dir) {
        Result ok = run("catalog", "check", "--catalog", "catalog");
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).startsWith("catalog: ok (");
        Path bad = Shipped.copy(Path.of("catalog"), dir.resolve("catalog"));
        Shipped.edit(bad.resolve("fleet.yaml"), "count: 16", "count: sixteen");
        Shipped.edit(bad.resolve("fleet.yaml"), "model: yolov8s", "model: yolov8ss");
        Result r = run("catalog", "check", "--catalog", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().toList()).hasSize(3);
        assertThat(r.err())
                .contains("fleet.yaml:27:12: cards[0].count: expected a whole number, found \"sixteen\"")
                .contains(
                        "workloads[0].model: unknown model \"yolov8ss\" (not in models.yaml). Did you mean \"yolov8s\"?")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    @Test
    void rulesCheckReportsFileLineColumn(@TempDir Path dir) {
        Result ok = run("rules", "check", "--rules", "rules");
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).startsWith("rules: ok (");
        Path bad = Shipped.copy(Path.of("rules"), dir.resolve("rules"));
        Shipped.edit(
                bad.resolve("memory.drl"), "deviceBytes > usableBytes * 0.90 )", "deviceBytes > usableBytes * 0.90 ))");
        Result r = run("rules", "check", "--rules", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .matches("(?s).*memory\\.drl:\\d+:\\d+: mismatched input '\\)' in rule \"Keep 10% of memory free\"\n");
        Path typo = Shipped.copy(Path.of("rules"), dir.resolve("typo"));
        Shipped.edit(typo.resolve("precision.drl"), "vendor == \"nvidia\"", "vendr == \"nvidia\"");
        Result t = run("rules", "check", "--rules", typo.toString());
        assertThat(t.code()).isEqualTo(2);
        assertThat(t.err()).contains("precision.drl:11:25: Card has no field \"vendr\". Did you mean \"vendor\"?");
    }

    @Test
    void planWithBrokenRulesStoresNothing(@TempDir Path dir) {
        String fresh = dir.resolve("db").toString();
        Path bad = Shipped.copy(Path.of("rules"), dir.resolve("rules"));
        Shipped.edit(bad.resolve("memory.drl"), "then", "than");
        Result r = run("plan", "--rules", bad.toString(), "--db", fresh);
        assertThat(r.code()).isEqualTo(2);
        assertThat(run("query", "--model", "yolov8s", "--db", fresh).code()).isEqualTo(3);
    }

    @Test
    void aRuleThatThrowsIsNamed(@TempDir Path dir) {
        Path bad = Shipped.copy(Path.of("rules"), dir.resolve("rules"));
        Shipped.edit(
                bad.resolve("batch.drl"),
                "insert(Setting.powersOfTwo(kcontext, $cell.getId()));",
                "insert(Setting.multiplesOf(kcontext, $cell.getId(), 1 / 0));");
        Result r = run(
                "plan",
                "--catalog",
                "src/test/resources/catalogs/minimal",
                "--rules",
                bad.toString(),
                "--db",
                dir.resolve("db").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .startsWith(bad.resolve("batch.drl")
                        + ": rule \"Batch sizes are powers of two\" failed in its then: ArithmeticException");
    }

    @Test
    void aRunawayRuleIsStoppedAndNamed(@TempDir Path dir) throws Exception {
        Path bad = Shipped.copy(Path.of("rules"), dir.resolve("rules"));
        Files.writeString(
                bad.resolve("loop.drl"),
                """
                package vramplan.policy;
                import dev.vramplan.rules.*;
                rule "Loop forever"
                when
                    $s : Setting()
                then
                    insert(Setting.minBatch(kcontext, $s.getCell(), 1, "one more"));
                end
                """);
        Result r = run(
                "plan",
                "--catalog",
                "src/test/resources/catalogs/minimal",
                "--rules",
                bad.toString(),
                "--db",
                dir.resolve("db").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .startsWith(
                        bad.resolve("loop.drl") + ": rule \"Loop forever\" keeps firing (100000 firings for one cell)");
    }

    @Test
    void unknownCommandsAndOptionsAreInvalidInput() {
        Result r = run("plna");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument").contains("plan");
        assertThat(run("query").code()).isEqualTo(2);
        assertThat(run("query", "--model", "x", "--mode", "training", "--db", db)
                        .err())
                .isEqualTo("--mode: \"training\" is not a mode: use train or inference\n");
    }

    @Test
    void benchPlansASyntheticFleetWithTheTeamsRulesAndTimesQueries() {
        Result r = run("bench", "--cards", "3", "--workloads", "4");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains(
                        "fleet:  3 card types x 4 workloads x 2 modes = 24 cells",
                        "rules:  planned and stored",
                        "cells/s",
                        "rows/s",
                        "peak heap",
                        "warm queries",
                        "targets:",
                        "n/a   200,000 cells");
        assertThat(r.out()).doesNotContain("plain Java");
    }

    @Test
    void helpAndVersion() {
        assertThat(run("--help").out())
                .contains("plan", "query", "explain", "estimate", "catalog", "rules", "Exit codes");
        assertThat(run("plan", "--help").out()).contains("--catalog", "--rules", "--db", "Example");
        assertThat(run("--version").out()).startsWith("vramplan ");
    }

    @Test
    void stackTracesOnlyOnRequest() {
        Result plain = run("query", "--model", "x", "--db", "jdbc:nosuchdb:x");
        assertThat(plain.code()).isEqualTo(1);
        assertThat(plain.err()).doesNotContain("\tat ");
        Result traced = run("query", "--model", "x", "--db", "jdbc:nosuchdb:x", "--stacktrace");
        assertThat(traced.err()).contains("\tat ");
    }
}
