package dev.vramplan.cli;

import dev.vramplan.answer.EstimateAnswer;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Offload;
import dev.vramplan.catalog.Precision;
import dev.vramplan.estimate.Component;
import dev.vramplan.estimate.Estimate;
import dev.vramplan.estimate.EstimateRequest;
import dev.vramplan.estimate.VllmPool;
import dev.vramplan.input.Sizes;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "estimate",
        mixinStandardHelpOptions = true,
        description = "Estimates the GPU memory of one configuration, with its breakdown.",
        footer = {
            "",
            "Estimates stop at " + Limits.MAX_ESTIMATE
                    + ": a configuration that needs more (no GPU holds that much) is refused.",
            "Example: vramplan estimate --model llama-3-8b --gpu a100-sxm4-80gb --mode train --precision bf16 --batch 4 --seq-len 2048"
        })
final class EstimateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "ID")
    String model;

    @Option(names = "--gpu", required = true, paramLabel = "ID")
    String gpu;

    @Option(names = "--mode", required = true, paramLabel = "train|inference")
    String mode;

    @Option(
            names = "--precision",
            required = true,
            paramLabel = "P",
            description = "fp32, amp-fp16, amp-bf16, fp16, bf16, fp8, int8 or int4")
    String precision;

    @Option(names = "--batch", required = true, paramLabel = "N")
    int batch;

    @Option(names = "--resolution", paramLabel = "PX", description = "input side in pixels (vision models)")
    Integer resolution;

    @Option(names = "--seq-len", paramLabel = "N", description = "tokens per sample (text models)")
    Integer seqLen;

    @Option(
            names = "--optimizer",
            paramLabel = "O",
            description = "adamw, adamw-8bit, sgd, adafactor or none (default: adamw when training)")
    String optimizer;

    @Option(names = "--no-flash-attention", description = "eager attention that keeps the s x s scores")
    boolean noFlash;

    @Option(
            names = "--finetune",
            paramLabel = "M",
            description = "full, lora, qlora, adapter or adapter-v2 (LitGPT's"
                    + " LLaMA-Adapter and LLaMA-Adapter v2) (default: full)")
    String finetune;

    @Option(names = "--trainable-params", paramLabel = "N", description = "adapter parameters, when known")
    Long trainableParams;

    @Option(names = "--lora-rank", paramLabel = "R", description = "adapter rank on every linear layer (default: 64)")
    Integer loraRank;

    @Option(
            names = "--adapter-dtype",
            paramLabel = "D",
            description = "lora/qlora: fp32, bf16 or fp16 adapters (with their"
                    + " gradients and optimizer states) beside the frozen base (default: fp32 under PEFT (hf-transformers,"
                    + " llama-factory, fastchat) and beside an fp16 lora base; else the precision's)")
    String adapterDtype;

    @Option(
            names = "--framework",
            paramLabel = "F",
            description = "litgpt, hf-transformers, ultralytics, yolov5, mmyolo,"
                    + " mmengine, vllm, fastchat or llama-factory (default: ultralytics for YOLOv8/YOLO11, yolov5 for YOLOv5,"
                    + " hf-transformers for transformers; docs/accuracy.md)")
    String framework;

    @Option(
            names = "--max-objects",
            paramLabel = "N",
            description = "detectors: labelled boxes in the busiest image of a batch"
                    + " (default: 60, COCO's 7.3 per image in four-image mosaics, busiest of the batch)")
    Integer maxObjects;

    @Option(names = "--gradient-checkpointing", description = "recompute activations in backward")
    boolean checkpointing;

    @Option(names = "--ema", description = "an exponential-moving-average copy of the weights (YOLO training)")
    boolean ema;

    @Option(names = "--gpus", defaultValue = "1", paramLabel = "N", description = "cards of this type (default: 1)")
    int gpus;

    @Option(
            names = "--strategy",
            paramLabel = "S",
            description =
                    "ddp, zero1, zero2, zero3 (training) or tp (serving); needed with --gpus above 1; a ZeRO stage on"
                            + " one GPU is DeepSpeed's single-GPU layout")
    String strategy;

    @Option(
            names = "--offload",
            paramLabel = "O",
            description = "optimizer or optimizer+params (ZeRO only; optimizer+params with zero3)")
    String offload;

    @Option(names = "--engine", paramLabel = "E", description = "inference: hf (generate, the default) or vllm")
    String engine;

    @Option(
            names = "--gpu-memory-utilization",
            paramLabel = "U",
            description = "vllm: the share of the card it takes (default: 0.9, as vLLM's)")
    Double gpuMemoryUtilization;

    @Option(
            names = "--quantization",
            paramLabel = "Q",
            description = "nf4, nf4-dq, fp4, gptq, llm.int8 or fp8 (int8/int4/fp8 only)")
    String quantization;

    @Mixin
    FormatOption output;

    @Mixin
    CatalogOption catalog;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EstimateAnswer a = EstimateAnswer.of(
                new EstimateAnswer.Question(
                        model,
                        gpu,
                        mode,
                        precision,
                        batch,
                        resolution,
                        seqLen,
                        optimizer,
                        noFlash,
                        finetune,
                        trainableParams,
                        loraRank,
                        adapterDtype,
                        checkpointing,
                        ema,
                        quantization,
                        framework,
                        maxObjects,
                        gpus,
                        strategy,
                        offload,
                        engine,
                        gpuMemoryUtilization),
                () -> CatalogLoader.load(catalog.dir()));
        Model md = a.model();
        Gpu g = a.gpu();
        Mode m = a.mode();
        Precision p = a.precision();
        EstimateRequest r = a.request();
        Estimate e = a.estimate();
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Json.print(out, a.json());
        } else {
            out.printf(
                    Locale.ROOT,
                    "%s on %s, %s, %s, batch %d, %s%s: %,d parameters, peak at %s%n",
                    md.id(),
                    g.id(),
                    m.id(),
                    p.id()
                            + (r.setup().adapterDtype() != null
                                    ? " base with " + r.setup().adapterDtype().id() + " adapters"
                                    : ""),
                    batch,
                    resolution != null ? resolution + " px" : seqLen + " tokens",
                    m == Mode.TRAIN ? ", " + r.optimizer().id() : "",
                    e.params(),
                    e.peakPhase());
            if (r.parallelism().multi() || r.parallelism().offload() != Offload.NONE) {
                out.printf(
                        Locale.ROOT,
                        "per GPU of %d, %s%s%n",
                        r.parallelism().gpus(),
                        r.parallelism().strategy().id(),
                        r.parallelism().offload() == Offload.NONE
                                ? ""
                                : ", offload " + r.parallelism().offload().id());
            }
            VllmPool.Plan pool = a.pool();
            if (pool != null) {
                out.printf(
                        Locale.ROOT,
                        "vllm: %s budget (gpu_memory_utilization), %,d blocks of %d tokens: %d concurrent sequences"
                                + " of %d tokens%n",
                        Sizes.human(pool.budgetBytes()),
                        pool.blocks(),
                        VllmPool.BLOCK_TOKENS,
                        pool.maxConcurrentSequences(),
                        seqLen);
            }
            Table t = new Table("component", "bytes", "size");
            for (Component k : Component.values()) {
                t.add(k.id(), e.breakdown().get(k), Sizes.human(e.breakdown().get(k)));
            }
            t.add("peak_allocated", e.peakAllocatedBytes(), Sizes.human(e.peakAllocatedBytes()));
            t.add("reserved", e.reservedBytes(), Sizes.human(e.reservedBytes()));
            t.add("device", e.deviceBytes(), Sizes.human(e.deviceBytes()));
            t.add("usable", e.usableBytes(), Sizes.human(e.usableBytes()));
            t.print(out);
            out.printf(
                    Locale.ROOT,
                    "%s: %.0f%% of the card%s%n",
                    e.fits() ? "fits" : "does not fit",
                    100 * e.utilization(),
                    e.calibrated()
                            ? String.format(
                                    Locale.ROOT,
                                    " (calibrated: activations x%.3f from catalog/calibration.yaml)",
                                    e.activationFactor())
                            : "");
            out.println(a.bandLine());
        }
        return Exits.OK;
    }
}
