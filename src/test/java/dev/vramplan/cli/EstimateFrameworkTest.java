package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** estimate's --framework, --max-objects and --finetune adapter/adapter-v2 on the command line. */
class EstimateFrameworkTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static JsonNode json(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--format", "json"));
        Run r = run(a.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void servingOutsideLitgptScoresTheLastPromptPositionOnly() throws Exception {
        String[] serve = {
            "estimate",
            "--model",
            "llama-3-8b",
            "--gpu",
            "h200",
            "--mode",
            "inference",
            "--precision",
            "bf16",
            "--batch",
            "64",
            "--seq-len",
            "2048"
        };
        long hf = json(serve).get("breakdown").get("input_output").asLong();
        List<String> lit = new ArrayList<>(List.of(serve));
        lit.addAll(List.of("--framework", "litgpt"));
        long litgpt = json(lit.toArray(String[]::new))
                .get("breakdown")
                .get("input_output")
                .asLong();
        // 64 prompts of 2048 tokens: int64 ids 8·2048, then bf16 logits of one position (2·128256) or of all 2048,
        // plus the sampler's fp32 copy of the last (4·128256)
        assertThat(hf).isEqualTo(64L * (8 * 2048 + 2 * 128256 + 4 * 128256));
        assertThat(litgpt).isEqualTo(64L * (8 * 2048 + 2L * 2048 * 128256 + 4 * 128256));
    }

    @Test
    void moreBoxesPerImageCostMoreAndOnlyDetectorsHaveThem() throws Exception {
        String[] train = {
            "estimate",
            "--model",
            "yolov8n",
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
            "sgd",
            "--ema"
        };
        List<String> crowded = new ArrayList<>(List.of(train));
        crowded.addAll(List.of("--max-objects", "400"));
        assertThat(json(crowded.toArray(String[]::new)).get("reserved_bytes").asLong())
                .isGreaterThan(json(train).get("reserved_bytes").asLong());
        Run r = run(
                "estimate",
                "--model",
                "llama-2-7b",
                "--gpu",
                "t4",
                "--mode",
                "inference",
                "--precision",
                "int4",
                "--batch",
                "1",
                "--seq-len",
                "100",
                "--max-objects",
                "4");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--max-objects: counts a detector's labelled boxes; llama-2-7b is not a detector");
        r = run(
                "estimate",
                "--model",
                "llama-2-7b",
                "--gpu",
                "t4",
                "--mode",
                "inference",
                "--precision",
                "int4",
                "--batch",
                "1",
                "--seq-len",
                "100",
                "--framework",
                "litgtp");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--framework").contains("Did you mean \"litgpt\"?");
    }

    @Test
    void litgptAdaptersAreAFinetuneMethod() throws Exception {
        JsonNode v2 = json(
                "estimate",
                "--model",
                "llama-2-7b",
                "--gpu",
                "a100-sxm4-40gb",
                "--mode",
                "train",
                "--precision",
                "bf16",
                "--batch",
                "1",
                "--seq-len",
                "1304",
                "--finetune",
                "adapter-v2",
                "--framework",
                "litgpt");
        JsonNode v1 = json(
                "estimate",
                "--model",
                "llama-2-7b",
                "--gpu",
                "a100-sxm4-40gb",
                "--mode",
                "train",
                "--precision",
                "bf16",
                "--batch",
                "1",
                "--seq-len",
                "1304",
                "--finetune",
                "adapter",
                "--framework",
                "litgpt");
        assertThat(v2.get("finetune").asText()).isEqualTo("adapter-v2");
        // v2 keeps every linear layer's output: 32 × 1304 tokens × 42,496 outputs × 2 bytes and more
        assertThat(v2.get("breakdown").get("activations").asLong()
                        - v1.get("breakdown").get("activations").asLong())
                .isGreaterThan(32L * 1304 * 42496 * 2);
    }
}
