package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.estimate.Estimator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Importers turn real definitions into catalog entries that describe the same network as the shipped ones. */
class ImportTest {
    static final Path HF = Path.of("src/test/resources/import/hf");
    static final Path ULTRA = Path.of("src/test/resources/import/ultralytics");

    @TempDir
    Path tmp;

    static long shipped(String id) {
        return Estimator.params(Shipped.catalog().model(id).architecture());
    }

    @TestFactory
    Stream<DynamicTest> everyHfConfigImportsToTheSameParameterCount() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(HF)) {
            files = s.sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(13);
        return files.stream()
                .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
                    String id = f.getFileName().toString().replace(".json", "");
                    Path cat = Shipped.copy(Shipped.CATALOG, Files.createTempDirectory(tmp, "c"));
                    CliTest.Result r = CliTest.run(
                            "import", "hf", f.toString(), "--id", "imported-" + id, "--catalog", cat.toString());
                    assertThat(r.code()).as(r.err()).isZero();
                    Catalog c = CatalogLoader.load(cat);
                    long imported = Estimator.params(c.model("imported-" + id).architecture());
                    // Falcon's config ties the LM head to the embeddings; the shipped entry counts the stored copy
                    long expected = id.equals("falcon-7b") ? 6_921_720_704L : shipped(id);
                    assertThat(imported).isEqualTo(expected);
                    assertThat(r.out()).contains("added imported-" + id);
                }));
    }

    @Test
    void ultralyticsScalesImportToThePublishedCounts() {
        Path cat = Shipped.copy(Shipped.CATALOG, tmp.resolve("c"));
        for (String scale : List.of("n", "s", "m", "l", "x")) {
            CliTest.Result r = CliTest.run(
                    "import",
                    "ultralytics",
                    ULTRA.resolve("yolo11.yaml").toString(),
                    "--scale",
                    scale,
                    "--id",
                    "my-yolo11" + scale,
                    "--catalog",
                    cat.toString());
            assertThat(r.code()).as(r.err()).isZero();
            CliTest.Result v8 = CliTest.run(
                    "import",
                    "ultralytics",
                    ULTRA.resolve("yolov8.yaml").toString(),
                    "--scale",
                    scale,
                    "--id",
                    "my-yolov8" + scale,
                    "--catalog",
                    cat.toString());
            assertThat(v8.code()).as(v8.err()).isZero();
        }
        CliTest.Result v5 = CliTest.run(
                "import",
                "ultralytics",
                ULTRA.resolve("yolov5s.yaml").toString(),
                "--id",
                "my-yolov5s",
                "--catalog",
                cat.toString());
        assertThat(v5.code()).as(v5.err()).isZero();
        Catalog c = CatalogLoader.load(cat);
        for (String scale : List.of("n", "s", "m", "l", "x")) {
            assertThat(Estimator.params(c.model("my-yolo11" + scale).architecture()))
                    .isEqualTo(shipped("yolo11" + scale));
            assertThat(Estimator.params(c.model("my-yolov8" + scale).architecture()))
                    .isEqualTo(shipped("yolov8" + scale));
        }
        assertThat(Estimator.params(c.model("my-yolov5s").architecture())).isEqualTo(shipped("yolov5s"));
        assertThat(c.model("my-yolo11m").family()).isEqualTo("yolo11");
        assertThat(c.model("my-yolov5s").family()).isEqualTo("yolov5");
    }

    @Test
    void importErrorsAreOneClearLineAndLeaveTheCatalogAsItWas() throws Exception {
        Path cat = Shipped.copy(Shipped.CATALOG, tmp.resolve("c"));
        CliTest.Result dup = CliTest.run(
                "import", "hf", HF.resolve("gpt2.json").toString(), "--id", "gpt2", "--catalog", cat.toString());
        assertThat(dup.code()).isEqualTo(2);
        assertThat(dup.err()).isEqualTo("--id: the catalog already has a model \"gpt2\"\n");
        Path weird = tmp.resolve("config.json");
        Files.writeString(weird, "{\"model_type\": \"lama\", \"hidden_size\": 10}");
        CliTest.Result type = CliTest.run("import", "hf", weird.toString(), "--id", "x", "--catalog", cat.toString());
        assertThat(type.code()).isEqualTo(2);
        assertThat(type.err()).contains("model_type: \"lama\" is not supported").contains("Did you mean \"llama\"?");
        Files.writeString(weird, "{\"model_type\": \"llama\", \"hidden_size\": ");
        assertThat(CliTest.run("import", "hf", weird.toString(), "--id", "x", "--catalog", cat.toString())
                        .err())
                .contains("not valid JSON");
        CliTest.Result focus = CliTest.run(
                "import",
                "ultralytics",
                ULTRA.resolve("yolov5s-v2.yaml").toString(),
                "--id",
                "old",
                "--catalog",
                cat.toString());
        assertThat(focus.code()).isEqualTo(2);
        assertThat(focus.err()).contains("yolov5s-v2.yaml:7:5: layer 0: unknown module \"Focus\"");
        CliTest.Result scale = CliTest.run(
                "import",
                "ultralytics",
                ULTRA.resolve("yolo11.yaml").toString(),
                "--scale",
                "q",
                "--id",
                "q",
                "--catalog",
                cat.toString());
        assertThat(scale.err()).contains("there is no scale \"q\"");
        assertThat(Files.exists(cat.resolve("models-imported.yaml"))).isFalse();
        assertThat(CatalogLoader.check(cat)).isEmpty();
    }

    /**
     * A published count more than 2% away from the count derived from the architecture is a warning, with both numbers
     * and where the catalog has it, from import and from catalog check; both still exit 0. Within 2%: quiet.
     */
    @Test
    void aPublishedCountFarFromTheArchitectureIsAWarning() {
        Path cat = Shipped.copy(Shipped.CATALOG, tmp.resolve("c"));
        String warning =
                "warning: " + cat.resolve("models-imported.yaml") + ":7:23: my-llama: published_params 8,680,000,000"
                        + " is 8.1% above the 8,030,261,248 derived from the architecture (more than 2%): check the architecture or the"
                        + " published count\n";
        // llama-3-8b.json derives 8,030,261,248 parameters (Meta publishes 8.03 B): 8,680,000,000 is 8.1% above it
        CliTest.Result far = CliTest.run(
                "import",
                "hf",
                HF.resolve("llama-3-8b.json").toString(),
                "--id",
                "my-llama",
                "--published-params",
                "8680000000",
                "--catalog",
                cat.toString());
        assertThat(far.code()).as(far.err()).isZero();
        assertThat(far.err()).isEqualTo(warning);
        CliTest.Result check = CliTest.run("catalog", "check", "--catalog", cat.toString());
        assertThat(check.code()).isZero();
        assertThat(check.err()).isEqualTo(warning);
        assertThat(check.out()).endsWith(": ok (20 gpus, 52 models, 7 cards in the fleet, 13 workloads)\n");
        // 8,150,000,000 is 1.5% above: nothing to say, here or in catalog check
        CliTest.Result near = CliTest.run(
                "import",
                "hf",
                HF.resolve("llama-3-8b.json").toString(),
                "--id",
                "my-llama-near",
                "--published-params",
                "8150000000",
                "--catalog",
                cat.toString());
        assertThat(near.code()).as(near.err()).isZero();
        assertThat(near.err()).isEmpty();
        assertThat(CliTest.run("catalog", "check", "--catalog", cat.toString()).err())
                .isEqualTo(warning);
        // below: the same warning, the other way
        CliTest.Result below = CliTest.run(
                "import",
                "hf",
                HF.resolve("llama-3-8b.json").toString(),
                "--id",
                "my-llama-low",
                "--published-params",
                "7430000000",
                "--catalog",
                cat.toString());
        assertThat(below.err())
                .endsWith(
                        ": my-llama-low: published_params 7,430,000,000 is 7.5% below the 8,030,261,248"
                                + " derived from the architecture (more than 2%): check the architecture or the published count\n");
        // the shipped catalog: every model within 2% (ParamCountTest holds 1%), so catalog check is quiet
        CliTest.Result shipped = CliTest.run("catalog", "check", "--catalog", Shipped.CATALOG.toString());
        assertThat(shipped.code()).isZero();
        assertThat(shipped.err()).isEmpty();
    }
}
