package dev.vramplan.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vramplan.Shipped;
import dev.vramplan.catalog.Calibration;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.catalog.Mode;
import dev.vramplan.cli.Main;
import dev.vramplan.input.InvalidInputException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The estimator against the published measurements (src/test/resources/validation, copied from the sources
 * README.md there cites), calibration on held-out data, and the measurement reader's strictness.
 */
class ValidateTest {
    static final Path PUBLIC = Path.of("src/test/resources/validation/measurements.yaml");

    @TempDir
    Path tmp;

    @Test
    void thePublicSetMeetsTheMedianTargetAndEveryOomIsPredicted() {
        Catalog c = Shipped.catalog();
        Validator.Report r = Validator.validate(MeasurementLoader.load(PUBLIC, c), c, false);
        Validator.Summary s = r.summary();
        assertThat(s.count() + s.oomPoints()).isEqualTo(107);
        assertThat(s.oomPoints()).isEqualTo(9);
        assertThat(s.oomPredicted()).isEqualTo(9);
        // issue #16's targets, physics only: median ≤ 8%, p90 ≤ 20%; docs/accuracy.md publishes the figures
        assertThat(s.medianAbsRelError()).isLessThanOrEqualTo(0.08);
        assertThat(s.p90AbsRelError()).isLessThanOrEqualTo(0.20);
        assertThat(s.maxAbsRelError()).isLessThan(0.60);
        // what this session's terms reached (docs/accuracy.md): a regression shows here before it reaches a plan
        assertThat(s.medianAbsRelError()).isLessThanOrEqualTo(0.065);
        assertThat(s.underestimatedShare()).isLessThanOrEqualTo(0.15);
        // vision training (YOLO and CNN): median ≤ 10%
        List<Validator.Point> vision = r.points().stream()
                .filter(p -> p.m().resolution() != null && p.m().mode() == Mode.TRAIN)
                .toList();
        assertThat(vision).hasSize(10);
        assertThat(Validator.summarize(vision).medianAbsRelError()).isLessThanOrEqualTo(0.10);
        // the points whose source said what it measured and in which unit (all but the 30 Qwen rows)
        assertThat(r.uncertain()).isEqualTo(30);
        Validator.Summary stated = r.stated();
        assertThat(stated.count() + stated.oomPoints()).isEqualTo(107 - 30);
        assertThat(stated.p90AbsRelError()).isLessThanOrEqualTo(0.25);
    }

    /** 16-bit and bitsandbytes 4-bit serving alike (LitGPT's NF4 LM head: LightningBnb). */
    @Test
    void weightDominatedInferenceIsWithinAFewPercent() {
        Catalog c = Shipped.catalog();
        Validator.Report r = Validator.validate(MeasurementLoader.load(PUBLIC, c), c, false);
        for (Validator.Point p : r.points()) {
            if (p.m().id().startsWith("hfblog_octocoder") || p.m().id().startsWith("litgpt_rt_infer_")) {
                if (!p.m().oom()) {
                    assertThat(Math.abs(p.relError())).as(p.m().id()).isLessThan(0.05);
                }
            }
        }
    }

    @Test
    void calibrationHelpsOnMeasurementsItWasNotFittedTo() {
        Catalog c = Shipped.catalog();
        List<Measurement> all = MeasurementLoader.load(PUBLIC, c);
        List<Measurement> fit = new ArrayList<>();
        List<Measurement> held = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            (i % 2 == 0 ? fit : held).add(all.get(i));
        }
        List<Calibration> cal = Calibrator.fit(fit, c, false, "even points").stream()
                .map(Calibrator.Fit::calibration)
                .toList();
        assertThat(cal).isNotEmpty();
        assertThat(cal).allSatisfy(k -> assertThat(k.points())
                .allSatisfy(id -> assertThat(held).noneMatch(m -> m.id().equals(id))));
        Catalog calibrated = new Catalog(c.gpus(), c.models(), c.fleetCards(), c.workloads(), cal);
        Validator.Summary before = Validator.validate(held, c, false).summary();
        Validator.Summary after = Validator.validate(held, calibrated, true).summary();
        assertThat(after.medianAbsRelError()).isLessThan(before.medianAbsRelError());
        assertThat(after.underestimatedShare()).isLessThanOrEqualTo(before.underestimatedShare());
        assertThat(after.oomPredicted()).isEqualTo(after.oomPoints());
    }

    @Test
    void aPointWithAnUnknownModelIsAnErrorNamingIt() throws Exception {
        Path f = tmp.resolve("m.yaml");
        Files.writeString(
                f,
                """
                measurements:
                  - id: mine
                    model: llama-2-7bb
                    gpu: a100-sxm4-40gb
                    mode: inference
                    precision: bf16
                    batch: 1
                    seq_len: 100
                    measured: 13 GB
                    measure_kind: peak_allocated
                """);
        assertThatThrownBy(() -> MeasurementLoader.load(f, Shipped.catalog()))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(
                        e -> assertThat(((InvalidInputException) e).lines())
                                .containsExactly(
                                        f
                                                + ":3:12: measurements[0].model: unknown model \"llama-2-7bb\" (point \"mine\"). Did you mean \"llama-2-7b\"?"));
    }

    @Test
    void unknownFieldsAndBadSizesAreRefused() throws Exception {
        Path f = tmp.resolve("m.yaml");
        Files.writeString(
                f,
                """
                measurements:
                  - id: mine
                    model: llama-2-7b
                    mode: inference
                    precision: bf16
                    batch: 1
                    seq_len: 100
                    measured: 13 GiG
                    measure_kind: peak_allocated
                    mesure_kind: peak_allocated
                """);
        assertThatThrownBy(() -> MeasurementLoader.load(f, Shipped.catalog()))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(
                        e -> assertThat(((InvalidInputException) e).lines())
                                .containsExactly(
                                        f
                                                + ":8:15: measurements[0].measured: \"13 GiG\" is not a size. Maybe \"13 GiB\"?, or oom",
                                        f
                                                + ":10:5: measurements[0].mesure_kind: unknown field. Did you mean \"measure_kind\"?"));
    }

    @Test
    void validateAndCalibrateOnTheCommandLine() throws Exception {
        Path cat = Shipped.copy(Shipped.CATALOG, tmp.resolve("catalog"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(
                new String[] {
                    "validate", "--measurements", PUBLIC.toString(), "--catalog", cat.toString(), "--format", "json"
                },
                new PrintWriter(out),
                new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        JsonNode j = new ObjectMapper().readTree(out.toString());
        for (String key : List.of(
                "count",
                "median_abs_rel_error",
                "p90_abs_rel_error",
                "max_abs_rel_error",
                "underestimated_share",
                "oom_points",
                "oom_predicted")) {
            assertThat(j.get("summary").has(key)).as(key).isTrue();
        }
        // 107 published points, the 18 Qwen runs under DeepSpeed ZeRO among them, judged per GPU
        assertThat(j.get("points")).hasSize(107);
        assertThat(j.has("skipped")).isFalse();
        assertThat(j.get("summary_stated").get("count").asInt()).isEqualTo(68);
        assertThat(j.get("points").findValues("uncertain").stream()
                        .filter(JsonNode::asBoolean)
                        .count())
                .isEqualTo(30);
        assertThat(j.get("points").get(0).get("calibrated").asBoolean()).isFalse();

        out = new StringWriter();
        code = Main.run(
                new String[] {"calibrate", "--measurements", PUBLIC.toString(), "--catalog", cat.toString()},
                new PrintWriter(out),
                new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("wrote");
        Catalog calibrated = CatalogLoader.load(cat);
        assertThat(calibrated.calibrations()).isNotEmpty();
        assertThat(calibrated.calibration(calibrated.model("llama-2-7b")).points())
                .contains("litgpt_rt_lora_llama27b_none_mb1");
        out = new StringWriter();
        Main.run(
                new String[] {
                    "validate", "--measurements", PUBLIC.toString(), "--catalog", cat.toString(), "--format", "json"
                },
                new PrintWriter(out),
                new PrintWriter(err));
        JsonNode after = new ObjectMapper().readTree(out.toString());
        assertThat(after.get("summary").get("median_abs_rel_error").asDouble())
                .isLessThan(j.get("summary").get("median_abs_rel_error").asDouble());
        out = new StringWriter();
        Main.run(
                new String[] {
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
                    "1024",
                    "--finetune",
                    "lora",
                    "--catalog",
                    cat.toString(),
                    "--format",
                    "json"
                },
                new PrintWriter(out),
                new PrintWriter(err));
        assertThat(new ObjectMapper().readTree(out.toString()).get("calibrated").asBoolean())
                .isTrue();
    }
}
