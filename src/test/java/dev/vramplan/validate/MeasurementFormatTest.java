package dev.vramplan.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Offload;
import dev.vramplan.catalog.Precision;
import dev.vramplan.estimate.EstimateRequest;
import dev.vramplan.estimate.Estimator;
import dev.vramplan.estimate.Parallelism;
import dev.vramplan.estimate.Strategy;
import dev.vramplan.input.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Measurement format 2 (docs/measurement-format.md, "How the run was set up"): every field, and bad values at file:line:col. */
class MeasurementFormatTest {
    @TempDir
    Path tmp;

    private static final String POINT =
            """
            measurements:
              - id: mine
                model: llama-2-7b
                gpu: a100-sxm4-80gb
                mode: train
                precision: bf16
                batch: 1
                seq_len: 512
                measured: 20 GB
                measure_kind: peak_allocated
            """;

    private Path file(String extra) throws Exception {
        Path f = tmp.resolve("m.yaml");
        Files.writeString(f, POINT + extra.indent(4));
        return f;
    }

    @Test
    void everyFormat2FieldIsReadIntoTheMeasurement() throws Exception {
        Measurement m = MeasurementLoader.load(
                        file(
                                """
                finetune: adapter-v2
                framework: litgpt
                adapter_dtype: fp32
                zero_stage: 3
                offload: optimizer+params
                gpus: 8
                max_objects: 0
                """),
                        Shipped.catalog())
                .get(0);
        assertThat(m.finetune()).isEqualTo(Finetune.ADAPTER_V2);
        assertThat(m.run())
                .isEqualTo(new RunSetup(Framework.LITGPT, Precision.FP32, 3, Offload.OPTIMIZER_PARAMS, 8, 0));
        assertThat(m.run().parallelism()).isEqualTo(new Parallelism(8, Strategy.ZERO3, Offload.OPTIMIZER_PARAMS));
    }

    @Test
    void absentFieldsMeanThePlainSingleGpuSetup() throws Exception {
        Measurement m = MeasurementLoader.load(file("finetune: adapter\n"), Shipped.catalog())
                .get(0);
        assertThat(m.finetune()).isEqualTo(Finetune.ADAPTER);
        assertThat(m.run()).isEqualTo(RunSetup.plain());
        assertThat(m.run().parallelism()).isEqualTo(Parallelism.single());
    }

    @Test
    void theRunSetupMapsOntoTheCardsAndTheShardingItUsed() {
        assertThat(new RunSetup(Framework.HF_TRANSFORMERS, null, 0, Offload.NONE, 1, 40).parallelism())
                .isEqualTo(Parallelism.single());
        // ZeRO on one GPU, as Qwen's finetune_qlora_single_gpu.sh runs DeepSpeed
        assertThat(new RunSetup(null, null, 2, null, 1, null).parallelism())
                .isEqualTo(new Parallelism(1, Strategy.ZERO2, Offload.NONE));
        assertThat(new RunSetup(null, null, 1, Offload.OPTIMIZER, 1, null).parallelism())
                .isEqualTo(new Parallelism(1, Strategy.ZERO1, Offload.OPTIMIZER));
        // several GPUs without a stage: data parallel
        assertThat(new RunSetup(null, null, null, null, 4, null).parallelism())
                .isEqualTo(new Parallelism(4, Strategy.DDP, Offload.NONE));
        assertThatThrownBy(() -> new RunSetup(null, null, null, Offload.OPTIMIZER, 1, null))
                .hasMessage("offload optimizer needs a ZeRO strategy (zero1, zero2 or zero3), not single");
    }

    @Test
    void anOffloadNoFrameworkRunsIsRefusedAtItsField() throws Exception {
        Path f = file("""
                zero_stage: 2
                offload: optimizer+params
                """);
        assertThatThrownBy(() -> MeasurementLoader.load(f, Shipped.catalog()))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).lines())
                        .containsExactly(f
                                + ":12:14: measurements[0].offload: offload optimizer+params needs zero3 (DeepSpeed"
                                + " offloads parameters only in stage 3)"));
    }

    @Test
    void badValuesOfEveryFieldAreRefusedAtTheirPlace() throws Exception {
        Path f = file(
                """
                finetune: adaptor
                framework: ultralitics
                adapter_dtype: int8
                zero_stage: 4
                offload: cpu
                gpus: 0
                max_objects: many
                """);
        assertThatThrownBy(() -> MeasurementLoader.load(f, Shipped.catalog()))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).lines())
                        .containsExactly(
                                f
                                        + ":11:15: measurements[0].finetune: \"adaptor\" is not one of full, lora, qlora, adapter, adapter-v2."
                                        + " Did you mean \"adapter\"?",
                                f
                                        + ":12:16: measurements[0].framework: \"ultralitics\" is not one of litgpt, hf-transformers, ultralytics,"
                                        + " yolov5, mmyolo, mmengine, vllm, fastchat, llama-factory. Did you mean \"ultralytics\"?",
                                f + ":13:20: measurements[0].adapter_dtype: \"int8\" is not one of fp32, bf16, fp16.",
                                f + ":14:17: measurements[0].zero_stage: 4 is out of range: it must be between 0 and 3",
                                f
                                        + ":15:14: measurements[0].offload: \"cpu\" is not one of none, optimizer, optimizer+params.",
                                f + ":16:11: measurements[0].gpus: 0 is out of range: it must be between 1 and 1048576",
                                f + ":17:18: measurements[0].max_objects: expected a whole number, found \"many\""));
    }

    @Test
    void anAdapterDtypeWithoutAdaptersAndAnUnknownFieldAreErrors() throws Exception {
        Path f = file("""
                adapter_dtype: fp32
                zero: 2
                """);
        assertThatThrownBy(() -> MeasurementLoader.load(f, Shipped.catalog()))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).lines())
                        .containsExactly(
                                f
                                        + ":11:20: measurements[0].adapter_dtype: applies to adapter fine-tuning (lora, qlora, adapter,"
                                        + " adapter-v2); finetune is full",
                                f + ":12:5: measurements[0].zero: unknown field. Did you mean \"zero_stage\"?"));
    }

    @Test
    void validateJudgesAShardedPointPerGpu() throws Exception {
        Path f = tmp.resolve("two.yaml");
        Files.writeString(
                f,
                POINT
                        + """
                  - id: sharded
                    model: llama-2-7b
                    mode: train
                    precision: bf16
                    batch: 1
                    seq_len: 512
                    zero_stage: 3
                    gpus: 8
                    measured: 9 GB
                    measure_kind: peak_allocated
                """);
        List<Measurement> ms = MeasurementLoader.load(f, Shipped.catalog());
        Validator.Report r = Validator.validate(ms, Shipped.catalog(), false);
        assertThat(r.points()).extracting(p -> p.m().id()).containsExactly("mine", "sharded");
        Validator.Point sharded = r.points().get(1);
        EstimateRequest one = Validator.request(ms.get(1), Shipped.catalog(), false);
        assertThat(one.parallelism()).isEqualTo(new Parallelism(8, Strategy.ZERO3, Offload.NONE));
        // the point is judged by one GPU's share: an eighth of the model states and the gathered units in flight
        assertThat(sharded.estimateBytes())
                .isEqualTo(Estimator.estimate(one).peakAllocatedBytes())
                .isLessThan(Estimator.estimate(one.withParallelism(Parallelism.single()))
                        .peakAllocatedBytes());
    }

    @Test
    void theAdapterDtypeOfAPointReachesTheEstimate() throws Exception {
        List<Measurement> ms = MeasurementLoader.load(
                file(
                        """
                finetune: lora
                adapter_dtype: fp32
                trainable_params: 100000000
                """),
                Shipped.catalog());
        Validator.Report fp32 = Validator.validate(ms, Shipped.catalog(), false);
        List<Measurement> own = MeasurementLoader.load(
                file(
                        """
                finetune: lora
                adapter_dtype: bf16
                trainable_params: 100000000
                """),
                Shipped.catalog());
        Validator.Report bf16 = Validator.validate(own, Shipped.catalog(), false);
        // a hundred million adapter parameters: fp32 weights, gradients and two AdamW states cost 2 + 2 + 4 bytes more
        // each than bf16, and autocast keeps a 2-byte bf16 cast of each fp32 adapter (AutocastCache); PEFT casts each
        // adapter's input to the adapter dtype before its dropout, so the attention input's dropout keeps 4 bytes, not
        // 2, per element: 2 × 4096 × 512 tokens × 32 layers more (LoraDropout)
        assertThat(fp32.points().get(0).estimate().peakAllocatedBytes()
                        - bf16.points().get(0).estimate().peakAllocatedBytes())
                .isEqualTo(1_000_000_000L + 2L * 4096 * 512 * 32);
        // without adapter_dtype the framework decides: PEFT (hf-transformers, the default for transformers) keeps fp32
        // adapters, LitGPT the base's bf16
        Validator.Report peft = Validator.validate(
                MeasurementLoader.load(
                        file(
                                """
                finetune: lora
                trainable_params: 100000000
                """),
                        Shipped.catalog()),
                Shipped.catalog(),
                false);
        Validator.Report litgpt = Validator.validate(
                MeasurementLoader.load(
                        file(
                                """
                finetune: lora
                framework: litgpt
                trainable_params: 100000000
                """),
                        Shipped.catalog()),
                Shipped.catalog(),
                false);
        assertThat(peft.points().get(0).estimate().peakAllocatedBytes())
                .isEqualTo(fp32.points().get(0).estimate().peakAllocatedBytes());
        // LitGPT's fused adapter also keeps what its zero_pad placed (index_copy keeps its source): q and v, its
        // default, 2 × 4096 wide, 2 bytes, 512 tokens, 32 layers
        assertThat(litgpt.points().get(0).estimate().peakAllocatedBytes())
                .isEqualTo(bf16.points().get(0).estimate().peakAllocatedBytes() + 2L * 4096 * 2 * 512 * 32);
    }
}
