package dev.vramplan.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vramplan.Shipped;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.input.Problems;
import dev.vramplan.input.Sizes;
import dev.vramplan.input.Suggest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loading is strict, and every problem names file:line:column and the field path. */
class CatalogLoaderTest {
    static final Path MINIMAL = Path.of("src/test/resources/catalogs/minimal");

    @TempDir
    Path tmp;

    /** A copy of the minimal catalog with one file replaced; problems are reported relative to the copy. */
    private List<String> problemsWith(String file, String text) throws IOException {
        Path dir = Shipped.copy(MINIMAL, tmp.resolve("c"));
        Files.writeString(dir.resolve(file), text);
        return CatalogLoader.check(dir).stream()
                .map(p -> p.format().replace(dir.toString() + "/", ""))
                .toList();
    }

    private List<String> problemsEditing(String file, String from, String to) throws IOException {
        Path dir = Shipped.copy(MINIMAL, tmp.resolve("c"));
        Shipped.edit(dir.resolve(file), from, to);
        return CatalogLoader.check(dir).stream()
                .map(p -> p.format().replace(dir.toString() + "/", ""))
                .toList();
    }

    @Test
    void everyShippedCatalogFileLoads() {
        Catalog c = Shipped.catalog();
        assertThat(CatalogLoader.check(Shipped.CATALOG)).isEmpty();
        assertThat(c.gpus()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(c.models()).hasSizeGreaterThanOrEqualTo(51);
        assertThat(c.fleetCards()).hasSizeGreaterThanOrEqualTo(6);
        assertThat(c.workloads()).extracting(w -> w.mode().id()).contains("train", "inference");
    }

    @Test
    void theIssueNamesEveryCardAndModel() {
        Catalog c = Shipped.catalog();
        assertThat(c.gpus().keySet())
                .contains(
                        "gtx-1060-6gb",
                        "gtx-1080",
                        "gtx-1650",
                        "rtx-3070",
                        "rtx-3090",
                        "rtx-4090",
                        "t4",
                        "v100-sxm2-16gb",
                        "v100-sxm2-32gb",
                        "a10g",
                        "a10",
                        "l4",
                        "a40",
                        "l40s",
                        "a100-sxm4-40gb",
                        "a100-sxm4-80gb",
                        "h100-sxm-80gb",
                        "h100-pcie-80gb",
                        "h200",
                        "mi300x");
        assertThat(c.models().keySet())
                .contains(
                        "yolov5n",
                        "yolov5s",
                        "yolov5m",
                        "yolov5l",
                        "yolov5x",
                        "yolov8n",
                        "yolov8s",
                        "yolov8m",
                        "yolov8l",
                        "yolov8x",
                        "yolo11n",
                        "yolo11s",
                        "yolo11m",
                        "yolo11l",
                        "yolo11x",
                        "resnet18",
                        "resnet50",
                        "resnet101",
                        "vit-b16",
                        "vit-l16",
                        "efficientnet-b0",
                        "mobilenet-v3-large",
                        "bert-base-uncased",
                        "bert-large-uncased",
                        "gpt2",
                        "tinyllama-1.1b",
                        "phi-1.5",
                        "phi-2",
                        "phi-3-mini-4k",
                        "gemma-2b",
                        "gemma-7b",
                        "gemma-2-9b",
                        "llama-2-7b",
                        "llama-2-13b",
                        "llama-2-70b",
                        "llama-3-8b",
                        "llama-3.1-8b",
                        "llama-3.2-1b",
                        "llama-3.2-3b",
                        "mistral-7b",
                        "qwen-1.8b",
                        "qwen-7b",
                        "qwen-14b",
                        "qwen-72b",
                        "qwen2.5-0.5b",
                        "qwen2.5-7b",
                        "falcon-7b",
                        "falcon-40b",
                        "stablelm-base-alpha-3b",
                        "codellama-34b",
                        "starcoder-15.5b");
    }

    @Test
    void theMinimalCatalogLoads() {
        Catalog c = CatalogLoader.load(MINIMAL);
        assertThat(c.gpu("t4").usableBytes()).isEqualTo(15109L << 20);
        assertThat(c.gpu("t4").memoryBytes()).isEqualTo(16_000_000_000L);
        assertThat(c.gpu("t4").computeCapability()).isEqualTo(7.5);
        assertThat(c.workloads().get(1).production()).isTrue();
    }

    @Test
    void aSizeWithAWrongUnitGetsASuggestion() throws IOException {
        assertThat(problemsEditing("gpus.yaml", "memory: 16 GB", "memory: 16 GiG"))
                .containsExactly("gpus.yaml:9:13: gpus[0].memory: \"16 GiG\" is not a size. Maybe \"16 GiB\"?");
    }

    @Test
    void aSizeWithoutAUnitIsRefused() throws IOException {
        assertThat(problemsEditing("gpus.yaml", "memory: 16 GB", "memory: 16"))
                .containsExactly(
                        "gpus.yaml:9:13: gpus[0].memory: \"16\" has no unit: write e.g. \"16 GiB\" (1024-based) or \"16 GB\" (1000-based)");
    }

    @Test
    void aNegativeSizeIsRefused() throws IOException {
        assertThat(problemsEditing("gpus.yaml", "memory: 16 GB", "memory: -24 GiB"))
                .containsExactly("gpus.yaml:9:13: gpus[0].memory: \"-24 GiB\" must be more than zero");
    }

    @Test
    void anUnknownFieldGetsASuggestion() throws IOException {
        assertThat(problemsEditing("gpus.yaml", "    architecture: turing", "    architecure: turing"))
                .containsExactly(
                        "gpus.yaml:3:5: gpus[0].architecture: is required but missing",
                        "gpus.yaml:7:5: gpus[0].architecure: unknown field. Did you mean \"architecture\"?");
    }

    @Test
    void aWrongTypeIsNamed() throws IOException {
        assertThat(problemsEditing("fleet.yaml", "count: 2", "count: two"))
                .containsExactly("fleet.yaml:3:12: cards[0].count: expected a whole number, found \"two\"");
    }

    @Test
    void aDuplicateIdIsNamedWithTheFirstPlace() throws IOException {
        assertThat(problemsEditing("gpus.yaml", "id: a100-sxm4-80gb", "id: t4"))
                .contains("gpus.yaml:13:9: gpus[1].id: duplicate id \"t4\": already defined at gpus.yaml:3:9");
    }

    @Test
    void anUnknownReferenceGetsASuggestion() throws IOException {
        assertThat(problemsEditing("fleet.yaml", "model: yolov8n", "model: yolov8m"))
                .containsExactly(
                        "fleet.yaml:8:12: workloads[0].model: unknown model \"yolov8m\" (not in models.yaml). Did you mean \"yolov8n\"?");
    }

    @Test
    void aWorkloadNamesItsFrameworkAndTheBoxesPerImage() throws IOException {
        Path dir = Shipped.copy(MINIMAL, tmp.resolve("f"));
        Shipped.edit(
                dir.resolve("fleet.yaml"),
                "    optimizer: sgd\n",
                "    optimizer: sgd\n    framework: mmyolo\n    max_objects: 120\n");
        Workload w = CatalogLoader.load(dir).workloads().get(0);
        assertThat(w.framework()).isEqualTo(Framework.MMYOLO);
        assertThat(w.maxObjects()).isEqualTo(120);
        assertThat(CatalogLoader.load(MINIMAL).workloads().get(0).framework()).isNull();
    }

    @Test
    void aBadFrameworkAndBoxesOnATextModelAreRefused() throws IOException {
        assertThat(problemsEditing(
                        "fleet.yaml", "    optimizer: sgd\n", "    optimizer: sgd\n    framework: ultralitics\n"))
                .containsExactly(
                        "fleet.yaml:12:16: workloads[0].framework: \"ultralitics\" is not one of litgpt, hf-transformers,"
                                + " ultralytics, yolov5, mmyolo, mmengine, vllm, fastchat, llama-factory. Did you mean \"ultralytics\"?");
        assertThat(problemsEditing("fleet.yaml", "    seq_len: 4096\n", "    seq_len: 4096\n    max_objects: 50\n"))
                .containsExactly("fleet.yaml:17:18: workloads[1].max_objects: counts a detector's labelled boxes;"
                        + " \"llama-2-7b\" is not a detector");
    }

    @Test
    void aDuplicateKeyIsAnError() throws IOException {
        assertThat(problemsEditing("fleet.yaml", "    mode: train\n", "    mode: train\n    mode: inference\n"))
                .containsExactly("fleet.yaml:10:5: mode: duplicate key: \"mode\" is already set at line 9");
    }

    @Test
    void malformedYamlNamesTheLine() throws IOException {
        List<String> p = problemsWith("fleet.yaml", "cards:\n  - gpu: t4\n    count: [1\nworkloads: []\n");
        assertThat(p).hasSize(1);
        assertThat(p.get(0)).startsWith("fleet.yaml:4:").contains("malformed YAML");
    }

    @Test
    void aTabIsExplained() throws IOException {
        List<String> p = problemsWith("fleet.yaml", "cards:\n\t- gpu: t4\nworkloads: []\n");
        assertThat(p).containsExactly("fleet.yaml:2:1: malformed YAML: a tab character; YAML indents with spaces only");
    }

    @Test
    void anEmptyFileIsAnError() throws IOException {
        assertThat(problemsWith("gpus.yaml", "")).contains("gpus.yaml:1:1: is empty");
    }

    @Test
    void binaryGarbageIsAnError() throws IOException {
        Path dir = Shipped.copy(MINIMAL, tmp.resolve("c"));
        Files.write(dir.resolve("gpus.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0x80});
        assertThat(CatalogLoader.check(dir).get(0).format())
                .endsWith("gpus.yaml:1:1: is not UTF-8 text (is it a binary file?)");
    }

    @Test
    void impossibleValuesAreRefusedWhenLoading() throws IOException {
        assertThat(problemsEditing("fleet.yaml", "resolution: 640", "resolution: 0"))
                .containsExactly(
                        "fleet.yaml:10:17: workloads[0].resolution: 0 is out of range: it must be between 32 and 16384");
        assertThat(problemsEditing("models.yaml", "published_params: 3157200", "published_params: 1000000000000000000"))
                .containsExactly(
                        "models.yaml:6:23: models[0].published_params: 1000000000000000000 is out of range: it must be between 1000 and 10000000000000");
    }

    @Test
    void numbersAsYamlWritesThemAreRead() throws IOException {
        Path dir = Shipped.copy(MINIMAL, tmp.resolve("c"));
        Shipped.edit(dir.resolve("fleet.yaml"), "count: 2", "count: 0x10");
        Shipped.edit(dir.resolve("fleet.yaml"), "count: 1", "count: 017");
        Shipped.edit(dir.resolve("fleet.yaml"), "resolution: 640", "resolution: 0o1200");
        Shipped.edit(dir.resolve("fleet.yaml"), "global_batch: 64", "global_batch: 0b100_0000");
        Shipped.edit(dir.resolve("fleet.yaml"), "seq_len: 4096", "seq_len: +4_096");
        Shipped.edit(dir.resolve("models.yaml"), "published_params: 6738415616", "published_params: 6_738_415_616");
        Shipped.edit(dir.resolve("models.yaml"), "layers: 32", "layers: 0x20");
        Shipped.edit(
                dir.resolve("gpus.yaml"),
                "compute_capability: 8.0",
                "compute_capability: 8\n    peak_dense_tflops: {fp16: 1_000.5, bf16: 0x138}");
        Catalog c = CatalogLoader.load(dir);
        assertThat(c.fleetCards()).containsEntry("t4", 16).containsEntry("a100-sxm4-80gb", 15);
        assertThat(c.workloads().get(0).resolutionPx()).isEqualTo(640);
        assertThat(c.workloads().get(0).globalBatch()).isEqualTo(64);
        assertThat(c.workloads().get(1).seqLenTokens()).isEqualTo(4096);
        assertThat(c.model("llama-2-7b").publishedParams()).isEqualTo(6_738_415_616L);
        assertThat(((TransformerSpec) c.model("llama-2-7b").architecture()).layers())
                .isEqualTo(32);
        assertThat(c.gpu("a100-sxm4-80gb").peakDenseTflops())
                .containsEntry(DataType.FP16, 1000.5)
                .containsEntry(DataType.BF16, 312.0);
    }

    @Test
    void aNumberWeCannotTakeIsAValueErrorNamingTheField() throws IOException {
        assertThat(problemsEditing("fleet.yaml", "count: 2", "count: 1:30"))
                .containsExactly("fleet.yaml:3:12: cards[0].count: \"1:30\" is not a whole number");
        assertThat(problemsEditing("fleet.yaml", "count: 2", "count: 0xFFFF_FFFF_FFFF_FFFF_FF"))
                .containsExactly(
                        "fleet.yaml:3:12: cards[0].count: 0xFFFF_FFFF_FFFF_FFFF_FF is out of range: it must be between 1 and 1000000");
        assertThat(problemsEditing("gpus.yaml", "compute_capability: 7.5", "compute_capability: 7:30.5"))
                .containsExactly("gpus.yaml:8:25: gpus[0].compute_capability: \"7:30.5\" is not a number");
        assertThat(problemsEditing("fleet.yaml", "count: 2", "count: 1_000.5"))
                .containsExactly("fleet.yaml:3:12: cards[0].count: expected a whole number, found a number 1_000.5");
    }

    @Test
    void aSecondDocumentIsAnErrorAtItsStart() throws IOException {
        String fleet = Files.readString(MINIMAL.resolve("fleet.yaml"));
        assertThat(problemsWith("fleet.yaml", fleet + "---\ncards: []\n"))
                .containsExactly(
                        "fleet.yaml:18:1: a second YAML document"
                                + " starts here; a catalog file holds one document (remove the \"---\" line or move the rest to its own file)");
        assertThat(problemsWith("fleet.yaml", "--- # the fleet\n" + fleet + "...\n"))
                .isEmpty();
        assertThat(problemsWith("fleet.yaml", fleet + "---\n# nothing more\n")).isEmpty();
    }

    @Test
    void checkReportsEveryProblemNotJustTheFirst() throws IOException {
        Path dir = Shipped.copy(MINIMAL, tmp.resolve("c"));
        Shipped.edit(dir.resolve("gpus.yaml"), "memory: 16 GB", "memory: 16 GiG");
        Shipped.edit(dir.resolve("fleet.yaml"), "count: 2", "count: -2");
        Shipped.edit(dir.resolve("models.yaml"), "      layers: 32", "      layerz: 32");
        List<Problems.Problem> problems = CatalogLoader.check(dir);
        assertThat(problems)
                .extracting(p -> p.loc().file().substring(p.loc().file().lastIndexOf('/') + 1))
                .containsExactly("fleet.yaml", "gpus.yaml", "models.yaml", "models.yaml");
        assertThatThrownBy(() -> CatalogLoader.load(dir))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).lines()).hasSize(4));
    }

    @Test
    void aMissingFolderIsOneClearLine() {
        assertThat(CatalogLoader.check(tmp.resolve("nope")))
                .extracting(Problems.Problem::message)
                .containsExactly("the catalog folder does not exist (give one with --catalog DIR)");
    }

    @Test
    void aYoloLayerListIsChecked() throws IOException {
        assertThat(problemsEditing("models.yaml", "[-1, 1, SPPF, [1024, 5]]", "[-1, 1, SPFF, [1024, 5]]"))
                .containsExactly(
                        "models.yaml:22:11: models[0].yolo.backbone[9]: layer 9: unknown module \"SPFF\". Did you mean \"SPPF\"?"
                                + " Known: C2PSA, C2f, C3, C3k2, Concat, Conv, Detect, SPPF, nn.Upsample");
    }

    @ParameterizedTest
    @CsvSource({"24 GiB, 25769803776", "16 GB, 16000000000", "15109 MiB, 15842934784", "1.5 KiB, 1536"})
    void sizesParse(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @Test
    void suggestionsFindTyposAndSwaps() {
        assertThat(Suggest.closest("yolov8ss", List.of("yolov8s", "resnet50"))).isEqualTo("yolov8s");
        assertThat(Suggest.closest("vnedor", List.of("vendor", "name"))).isEqualTo("vendor");
        assertThat(Suggest.closest("completely-different", List.of("vendor", "name")))
                .isNull();
    }
}
