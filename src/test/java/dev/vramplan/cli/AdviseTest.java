package dev.vramplan.cli;

import static dev.vramplan.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** advise: one workload planned under the team's rules, answered as query answers a stored plan, storing nothing. */
class AdviseTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static String db;

    @BeforeAll
    static void plan() {
        db = tmp.resolve("plans").toString();
        CliTest.Result planned = run("plan", "--db", db);
        assertThat(planned.code()).as(planned.err()).isZero();
        assertThat(planned.err())
                .as("no progress line when standard error is not a terminal")
                .isEmpty();
    }

    static List<String> keys(JsonNode o) {
        List<String> k = new ArrayList<>();
        o.fieldNames().forEachRemaining(k::add);
        return k;
    }

    /** A fleet workload's model and mode: the same answer, key for key, as the stored plan (only run is null). */
    @Test
    void adviseOfAFleetWorkloadAnswersAsTheStoredPlan() throws Exception {
        CliTest.Result a = run("advise", "--model", "yolov8s", "--gpu", "t4", "--mode", "train", "--format", "json");
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.err()).isEmpty();
        CliTest.Result q =
                run("query", "--model", "yolov8s", "--gpu", "t4", "--mode", "train", "--format", "json", "--db", db);
        JsonNode advised = JSON.readTree(a.out()).get(0);
        JsonNode stored = JSON.readTree(q.out()).get(0);
        assertThat(keys(advised))
                .containsExactly(
                        "run",
                        "model",
                        "gpu",
                        "workload",
                        "mode",
                        "feasible",
                        "precision",
                        "batch",
                        "resolution",
                        "seq_len",
                        "grad_accum_steps",
                        "gpus",
                        "strategy",
                        "offload",
                        "peak_allocated_bytes",
                        "reserved_bytes",
                        "device_bytes",
                        "device_bytes_high",
                        "band",
                        "usable_bytes",
                        "utilization",
                        "breakdown",
                        "rule",
                        "reason");
        assertThat(advised.get("run")).isEqualTo(NullNode.getInstance());
        assertThat(advised.get("workload").asText()).isEqualTo("yolov8s-train"); // its settings, tags included
        ((ObjectNode) stored).putNull("run");
        assertThat(advised).isEqualTo(stored);

        // every card of the fleet without --gpu, in fleet order, as query's table
        CliTest.Result all = run("advise", "--model", "yolov8s", "--mode", "train");
        CliTest.Result table = run("query", "--model", "yolov8s", "--mode", "train", "--db", db);
        assertThat(all.code()).isZero();
        assertThat(all.out()).isEqualTo(table.out());
    }

    /** --explain: the decisions list explain --format json gives for the same cell. */
    @Test
    void explainAddsTheDecisions() throws Exception {
        CliTest.Result a =
                run("advise", "--model", "yolov8s", "--gpu", "t4", "--mode", "train", "--explain", "--format", "json");
        CliTest.Result e =
                run("explain", "--model", "yolov8s", "--gpu", "t4", "--mode", "train", "--format", "json", "--db", db);
        assertThat(a.code()).as(a.err()).isZero();
        JsonNode decisions = JSON.readTree(a.out()).get(0).get("decisions");
        assertThat(decisions.size()).isGreaterThan(1);
        assertThat(decisions).isEqualTo(JSON.readTree(e.out()).get(0).get("decisions"));
        CliTest.Result text = run("advise", "--model", "yolov8s", "--gpu", "t4", "--mode", "train", "--explain");
        assertThat(text.out())
                .contains("\nyolov8s-train on t4 (train), not stored, card memory 14.75 GiB\n"
                        + "  chosen: amp-fp16, 640 px, batch 32 x 2 accumulation steps");
    }

    /** Without a fleet workload of the model and mode: the documented defaults, under the id "advise". */
    @Test
    void withoutAFleetWorkloadTheDefaultsApply() throws Exception {
        CliTest.Result a = run(
                "advise",
                "--model",
                "qwen2.5-0.5b",
                "--gpu",
                "h100-sxm-80gb",
                "--mode",
                "inference",
                "--format",
                "json");
        assertThat(a.code()).as(a.err()).isZero();
        JsonNode j = JSON.readTree(a.out()).get(0);
        assertThat(j.get("workload").asText()).isEqualTo("advise");
        assertThat(j.get("seq_len").asInt()).isEqualTo(2048);
        assertThat(j.get("grad_accum_steps").isNull()).isTrue();
        // a training job's global batch: 16 for a text model (LitGPT's default); the accumulation makes it up
        CliTest.Result t =
                run("advise", "--model", "bert-base-uncased", "--gpu", "t4", "--mode", "train", "--format", "json");
        JsonNode tj = JSON.readTree(t.out()).get(0);
        assertThat(tj.get("workload").asText()).isEqualTo("advise");
        assertThat(tj.get("seq_len").asInt()).isEqualTo(512); // bert's 512 learned positions, fewer than 2048
        // the options override the fleet workload's settings
        CliTest.Result r = run(
                "advise",
                "--model",
                "yolov8s",
                "--gpu",
                "t4",
                "--mode",
                "train",
                "--resolution",
                "320",
                "--global-batch",
                "16",
                "--format",
                "json");
        JsonNode rj = JSON.readTree(r.out()).get(0);
        assertThat(rj.get("resolution").asInt()).isEqualTo(320);
        assertThat(rj.get("batch").asInt() * rj.get("grad_accum_steps").asInt()).isGreaterThanOrEqualTo(16);
    }

    @Test
    void unknownIdsAreNamedWithTheClosestOne() {
        CliTest.Result model = run("advise", "--model", "yolov8ss", "--mode", "train");
        assertThat(model.code()).isEqualTo(2);
        assertThat(model.out()).isEmpty();
        assertThat(model.err()).isEqualTo("--model: unknown model \"yolov8ss\". Did you mean \"yolov8s\"?\n");
        CliTest.Result gpu = run("advise", "--model", "yolov8s", "--gpu", "T4", "--mode", "train");
        assertThat(gpu.code()).isEqualTo(2);
        assertThat(gpu.err()).isEqualTo("--gpu: unknown gpu \"T4\". Did you mean \"t4\"?\n");
        CliTest.Result family = run("advise", "--model", "yolov8s", "--gpu", "a100", "--mode", "train");
        assertThat(family.err()).isEqualTo("--gpu: unknown gpu \"a100\". Did you mean \"a100-sxm4-40gb\"?\n");
        CliTest.Result mode = run("advise", "--model", "yolov8s", "--mode", "training");
        assertThat(mode.code()).isEqualTo(2);
        assertThat(mode.err())
                .isEqualTo("--mode: \"training\" is not one of train, inference. Did you mean \"train\"?\n");
        CliTest.Result seq = run("advise", "--model", "yolov8s", "--mode", "train", "--seq-len", "2048");
        assertThat(seq.err()).isEqualTo("--seq-len: yolov8s takes images: give --resolution\n");
        CliTest.Result opt = run("advise", "--model", "yolov8s", "--mode", "inference", "--optimizer", "sgd");
        assertThat(opt.err()).isEqualTo("--optimizer: inference has no optimizer: leave it out or give none\n");
        CliTest.Result ft = run("advise", "--model", "yolov8s", "--mode", "train", "--finetune", "lora");
        assertThat(ft.err()).isEqualTo("--finetune: lora adapters apply to transformers; \"yolov8s\" is a CNN\n");
    }

    /** Nothing feasible: the row is printed, then exit 3 with the deciding reason, as query does. */
    @Test
    void nothingFeasibleExitsWith3() throws Exception {
        CliTest.Result a = run(
                "advise",
                "--model",
                "llama-3-8b",
                "--gpu",
                "t4",
                "--mode",
                "train",
                "--finetune",
                "full",
                "--format",
                "json");
        assertThat(a.code()).isEqualTo(3);
        JsonNode j = JSON.readTree(a.out()).get(0);
        assertThat(j.get("feasible").asBoolean()).isFalse();
        assertThat(j.get("workload").asText()).isEqualTo("advise");
        assertThat(a.err())
                .isEqualTo("nothing feasible for model llama-3-8b on t4: "
                        + j.get("reason").asText() + "\n");
    }

    /** Nothing is stored, and the fleet is not edited. */
    @Test
    void storesNothingAndEditsNothing() throws Exception {
        byte[] fleet = Files.readAllBytes(Path.of("catalog/fleet.yaml"));
        long runs = run("runs", "--db", db).out().lines().count();
        assertThat(run("advise", "--model", "resnet50", "--mode", "inference").code())
                .isZero();
        assertThat(Files.readAllBytes(Path.of("catalog/fleet.yaml"))).isEqualTo(fleet);
        assertThat(run("runs", "--db", db).out().lines().count()).isEqualTo(runs);
        assertThat(run("advise", "--model", "resnet50", "--mode", "inference", "--db", db)
                        .code())
                .as("advise has no database to write to")
                .isEqualTo(2);
    }
}
