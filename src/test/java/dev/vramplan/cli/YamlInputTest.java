package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers as YAML writes them (1_000, 0x10, 0o17, 0b101) and one document per file, through every command that reads
 * YAML: the catalog, measurement files, policy tests and Ultralytics model files. Before, a number with an underscore
 * or a prefix ended each of them with "unexpected failure: java.lang.NumberFormatException" (exit 1), and a second
 * document was silently dropped.
 */
class YamlInputTest {
    static final Path MINIMAL = BadInputTest.MINIMAL;
    static final String SECOND = "a second YAML document starts here; a %s holds one document"
            + " (remove the \"---\" line or move the rest to its own file)";

    @TempDir
    Path tmp;

    static String measurement(String batch) {
        return """
                measurements:
                  - id: mine
                    model: llama-2-7b
                    gpu: a100-sxm4-80gb
                    mode: inference
                    precision: bf16
                    batch: %s
                    seq_len: 1_024
                    measured: 14 GB
                    measure_kind: peak_allocated
                """
                .formatted(batch);
    }

    static String policyTest(String batch) {
        return """
                tests:
                  - name: a T4 trains YOLO
                    gpu: t4
                    workload: {model: yolov8n, mode: train, resolution: 0o1200, optimizer: sgd, global_batch: %s}
                    expect:
                      feasible: true
                """
                .formatted(batch);
    }

    static void assertInvalid(CliTest.Result r, String... lines) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().toList()).containsExactly(lines);
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("unexpected failure");
    }

    @Test
    void aCatalogWithYamlNumbersPlans() {
        Path dir = Shipped.copy(MINIMAL, tmp.resolve("catalog"));
        Shipped.edit(dir.resolve("fleet.yaml"), "count: 2", "count: 0x10");
        Shipped.edit(dir.resolve("fleet.yaml"), "global_batch: 64", "global_batch: 0b100_0000");
        Shipped.edit(dir.resolve("fleet.yaml"), "seq_len: 4096", "seq_len: 4_096");
        Shipped.edit(dir.resolve("models.yaml"), "layers: 32", "layers: 0o40");
        CliTest.Result check = CliTest.run("catalog", "check", "--catalog", dir.toString());
        assertThat(check.code()).as(check.err()).isZero();
        CliTest.Result plan = CliTest.run(
                "plan", "--catalog", dir.toString(), "--db", tmp.resolve("db").toString());
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("yolov8n-train", "llama-serve");
    }

    @Test
    void measurementFiles() throws IOException {
        Path f = tmp.resolve("m.yaml");
        Files.writeString(f, measurement("0x1"));
        CliTest.Result ok = CliTest.run("validate", "--measurements", f.toString(), "--catalog", MINIMAL.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("mine");

        Files.writeString(f, measurement("0x1_0000_0000"));
        assertInvalid(
                CliTest.run("validate", "--measurements", f.toString(), "--catalog", MINIMAL.toString()),
                f + ":7:12: measurements[0].batch: 0x1_0000_0000 is out of range: it must be between 1 and 1048576");
        Files.writeString(f, measurement("1:30"));
        assertInvalid(
                CliTest.run("validate", "--measurements", f.toString(), "--catalog", MINIMAL.toString()),
                f + ":7:12: measurements[0].batch: \"1:30\" is not a whole number");
        Files.writeString(f, measurement("1") + "---\n" + measurement("2"));
        assertInvalid(
                CliTest.run("validate", "--measurements", f.toString(), "--catalog", MINIMAL.toString()),
                f + ":11:1: " + SECOND.formatted("measurement file"));
    }

    @Test
    void policyTests() throws IOException {
        Path rules = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        Path t = Files.createDirectories(rules.resolve("tests")).resolve("t.yaml");
        Files.writeString(t, policyTest("0x40"));
        CliTest.Result ok = CliTest.run("rules", "test", "--rules", rules.toString(), "--catalog", MINIMAL.toString());
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).contains("1 passed, 0 failed");

        Files.writeString(t, policyTest("0x1_0000_0000_0000_0000"));
        assertInvalid(
                CliTest.run("rules", "test", "--rules", rules.toString(), "--catalog", MINIMAL.toString()),
                t
                        + ":4:95: tests[0].workload.global_batch: 0x1_0000_0000_0000_0000 is out of range: it must be between 1 and 1000000");
        Files.writeString(t, policyTest("64") + "---\n" + policyTest("32"));
        assertInvalid(
                CliTest.run("rules", "test", "--rules", rules.toString(), "--catalog", MINIMAL.toString()),
                t + ":7:1: " + SECOND.formatted("policy test file"));
    }

    @Test
    void ultralyticsModelFiles() throws IOException {
        String yolo = Files.readString(ImportTest.ULTRA.resolve("yolov8.yaml"));
        Path f = tmp.resolve("yolov8.yaml");
        Files.writeString(
                f,
                yolo.replace("nc: 80", "nc: 0x50")
                        .replace("[-1, 1, Conv, [64, 3, 2]]", "[-1, 0b1, Conv, [0x40, 3, 2]]"));
        Path catalog = Shipped.copy(Shipped.CATALOG, tmp.resolve("catalog"));
        CliTest.Result ok = CliTest.run(
                "import",
                "ultralytics",
                f.toString(),
                "--scale",
                "n",
                "--id",
                "my-yolov8n",
                "--catalog",
                catalog.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("added my-yolov8n (yolov8, 3,157,200 parameters");

        Files.writeString(f, yolo.replace("nc: 80", "nc: 0x1_0000_0000"));
        assertInvalid(
                CliTest.run(
                        "import",
                        "ultralytics",
                        f.toString(),
                        "--scale",
                        "n",
                        "--id",
                        "my-yolov8n-2",
                        "--catalog",
                        catalog.toString()),
                f + ":2:5: nc: 0x1_0000_0000 is out of range");
        Files.writeString(f, yolo + "---\nnc: 3\n");
        assertInvalid(
                CliTest.run(
                        "import",
                        "ultralytics",
                        f.toString(),
                        "--scale",
                        "n",
                        "--id",
                        "my-yolov8n-3",
                        "--catalog",
                        catalog.toString()),
                f + ":" + (yolo.lines().count() + 1) + ":1: " + SECOND.formatted("model YAML file"));
    }
}
