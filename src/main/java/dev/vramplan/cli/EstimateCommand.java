package dev.vramplan.cli;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.catalog.Engine;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.YoloSpec;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Quantization;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.input.Named;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.input.Sizes;
import dev.vramplan.input.Suggest;
import dev.vramplan.estimate.Component;
import dev.vramplan.estimate.Estimate;
import dev.vramplan.estimate.EstimateRequest;
import dev.vramplan.estimate.EstimateTooLargeException;
import dev.vramplan.estimate.Estimator;
import dev.vramplan.estimate.Offload;
import dev.vramplan.estimate.Parallelism;
import dev.vramplan.estimate.Setup;
import dev.vramplan.estimate.Strategy;
import dev.vramplan.estimate.VllmPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "estimate", mixinStandardHelpOptions = true,
        description = "Estimates the GPU memory of one configuration, with its breakdown.",
        footer = {"", "Estimates stop at " + Limits.MAX_ESTIMATE + ": a configuration that needs more (no GPU holds that much) is refused.",
                "Example: vramplan estimate --model llama-3-8b --gpu a100-sxm4-80gb --mode train --precision bf16 --batch 4 --seq-len 2048",
                "Several cards (the estimate is per GPU): ... --gpus 8 --strategy zero3 [--offload optimizer|optimizer+params]",
                "A vLLM server: ... --mode inference --engine vllm [--gpu-memory-utilization 0.9] reports its concurrent sequences"})
final class EstimateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "ID")
    String model;
    @Option(names = "--gpu", required = true, paramLabel = "ID")
    String gpu;
    @Option(names = "--mode", required = true, paramLabel = "train|inference")
    String mode;
    @Option(names = "--precision", required = true, paramLabel = "P",
            description = "fp32, amp-fp16, amp-bf16, fp16, bf16, fp8, int8 or int4")
    String precision;
    @Option(names = "--batch", required = true, paramLabel = "N")
    int batch;
    @Option(names = "--resolution", paramLabel = "PX", description = "input side in pixels (vision models)")
    Integer resolution;
    @Option(names = "--seq-len", paramLabel = "N", description = "tokens per sample (text models)")
    Integer seqLen;
    @Option(names = "--optimizer", paramLabel = "O", description = "adamw, adamw-8bit, sgd, adafactor or none (default: adamw when training)")
    String optimizer;
    @Option(names = "--no-flash-attention", description = "eager attention that keeps the s x s scores")
    boolean noFlash;
    @Option(names = "--finetune", paramLabel = "M", description = "full, lora, qlora, adapter or adapter-v2 (LitGPT's"
            + " LLaMA-Adapter and LLaMA-Adapter v2) (default: full)")
    String finetune;
    @Option(names = "--trainable-params", paramLabel = "N", description = "adapter parameters, when known")
    Long trainableParams;
    @Option(names = "--lora-rank", paramLabel = "R", description = "adapter rank on every linear layer (default: 64)")
    Integer loraRank;
    @Option(names = "--adapter-dtype", paramLabel = "D", description = "lora/qlora: fp32, bf16 or fp16 adapters (with their"
            + " gradients and optimizer states) beside the frozen base (default: fp32 under PEFT (hf-transformers,"
            + " llama-factory, fastchat) and beside an fp16 lora base; else the precision's)")
    String adapterDtype;
    @Option(names = "--framework", paramLabel = "F", description = "litgpt, hf-transformers, ultralytics, yolov5, mmyolo,"
            + " mmengine, vllm, fastchat or llama-factory (default: ultralytics for YOLOv8/YOLO11, yolov5 for YOLOv5,"
            + " hf-transformers for transformers; docs/accuracy.md)")
    String framework;
    @Option(names = "--max-objects", paramLabel = "N", description = "detectors: labelled boxes in the busiest image of a batch"
            + " (default: 60, COCO's 7.3 per image in four-image mosaics, busiest of the batch)")
    Integer maxObjects;
    @Option(names = "--gradient-checkpointing", description = "recompute activations in backward")
    boolean checkpointing;
    @Option(names = "--ema", description = "an exponential-moving-average copy of the weights (YOLO training)")
    boolean ema;
    @Option(names = "--quantization", paramLabel = "Q", description = "nf4, nf4-dq, fp4, gptq, llm.int8 or fp8 (int8/int4/fp8 only)")
    String quantization;
    @Option(names = "--gpus", defaultValue = "1", paramLabel = "N", description = "cards of this type (default: 1)")
    int gpus;
    @Option(names = "--strategy", paramLabel = "S", description = "ddp, zero1, zero2, zero3 (training) or tp (serving); needed with --gpus above 1")
    String strategy;
    @Option(names = "--offload", paramLabel = "O", description = "optimizer or optimizer+params (ZeRO only; optimizer+params with zero3)")
    String offload;
    @Option(names = "--engine", paramLabel = "E", description = "inference: hf (generate, the default) or vllm")
    String engine;
    @Option(names = "--gpu-memory-utilization", paramLabel = "U", description = "vllm: the share of the card it takes (default: 0.9, as vLLM's)")
    Double gpuMemoryUtilization;
    @Mixin
    FormatOption output;
    @Mixin
    CatalogOption catalog;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static <E extends Enum<E> & Named> E choice(String option, String value, Class<E> type) {
        E e = Named.byId(type, value);
        if (e == null) {
            throw new InvalidInputException(option + ": \"" + value + "\" is not one of " + String.join(", ", Named.ids(type))
                    + "." + Suggest.didYouMean(value, Named.ids(type)));
        }
        return e;
    }

    /** A size option outside {@link Limits}: one line naming it, as the catalog's range messages read. */
    static void range(String option, Number value, long min, long max) {
        if (value != null && (value.longValue() < min || value.longValue() > max)) {
            throw new InvalidInputException(option + ": " + value + " is out of range: it must be between " + min + " and " + max);
        }
    }

    @Override
    public Integer call() throws Exception {
        range("--batch", batch, 1, Limits.MAX_BATCH);
        range("--resolution", resolution, Limits.MIN_RESOLUTION, Limits.MAX_RESOLUTION);
        range("--seq-len", seqLen, 1, Limits.MAX_SEQ_LEN);
        range("--trainable-params", trainableParams, 0, Limits.MAX_PARAMS);
        range("--lora-rank", loraRank, 1, Limits.MAX_LORA_RANK);
        Mode m = choice("--mode", mode, Mode.class);
        Precision p = choice("--precision", precision, Precision.class);
        Optimizer o = optimizer == null ? (m == Mode.TRAIN ? Optimizer.ADAMW : Optimizer.NONE) : choice("--optimizer", optimizer, Optimizer.class);
        Catalog c = CatalogLoader.load(catalog.dir());
        Model md = c.model(model);
        if (md == null) {
            throw new InvalidInputException("--model: unknown model \"" + model + "\"." + Suggest.didYouMean(model, c.models().keySet()));
        }
        Gpu g = c.gpu(gpu);
        if (g == null) {
            throw new InvalidInputException("--gpu: unknown gpu \"" + gpu + "\"." + Suggest.didYouMean(gpu, c.gpus().keySet()));
        }
        if (md.vision() && seqLen != null || !md.vision() && resolution != null) {
            throw new InvalidInputException(md.vision() ? "--seq-len: " + model + " takes images: give --resolution"
                    : "--resolution: " + model + " takes text: give --seq-len");
        }
        range("--gpus", gpus, 1, Parallelism.MAX_GPUS);
        EstimateRequest r;
        Estimate e;
        VllmPool.Plan pool = null;
        try {
            Finetune ft = finetune == null ? Finetune.FULL : choice("--finetune", finetune, Finetune.class);
            Quantization q = quantization == null ? null : choice("--quantization", quantization, Quantization.class);
            Precision ad = adapterDtype == null ? null : choice("--adapter-dtype", adapterDtype, Precision.class);
            if (ad != null && !Setup.ADAPTER_DTYPES.contains(ad)) {
                throw new InvalidInputException("--adapter-dtype: adapters train in fp32, bf16 or fp16, not " + ad.id());
            }
            if (ad != null && (m != Mode.TRAIN || ft == Finetune.FULL)) {
                throw new InvalidInputException("--adapter-dtype: only a lora or qlora training job has adapters");
            }
            Framework fw = framework == null ? null : choice("--framework", framework, Framework.class);
            if (maxObjects != null && !(md.architecture() instanceof YoloSpec)) {
                throw new InvalidInputException("--max-objects: counts a detector's labelled boxes; " + model + " is not a detector");
            }
            r = new EstimateRequest(md, g, m, p, batch, resolution, seqLen, o,
                    new Setup(ft, trainableParams, loraRank, checkpointing, !noFlash, ema, q).calibrated(c.calibration(md))
                            .withAdapterDtype(ad != null ? ad : Setup.defaultAdapterDtype(m, ft, p))
                            .withFramework(fw).withMaxObjects(maxObjects));
            Strategy st = strategy == null ? Strategy.SINGLE : choice("--strategy", strategy, Strategy.class);
            Offload off = offload == null ? Offload.NONE : choice("--offload", offload, Offload.class);
            r = r.withParallelism(new Parallelism(gpus, st, off));
            boolean vllm = engine != null && choice("--engine", engine, Engine.class) == Engine.VLLM;
            if (gpuMemoryUtilization != null && !vllm) {
                throw new InvalidInputException("--gpu-memory-utilization: only --engine vllm takes a share of the card");
            }
            if (vllm) {
                pool = VllmPool.plan(r, gpuMemoryUtilization == null ? VllmPool.DEFAULT_UTILIZATION : gpuMemoryUtilization);
                e = pool.estimate();
            } else {
                e = Estimator.estimate(r);
            }
        } catch (EstimateTooLargeException tooLarge) {
            throw new InvalidInputException(tooLarge.line(this::option));
        } catch (IllegalArgumentException iae) {
            throw new InvalidInputException(iae.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", md.id());
            j.put("gpu", g.id());
            j.put("mode", m.id());
            j.put("precision", p.id());
            j.put("batch", batch);
            j.put("resolution", resolution);
            j.put("seq_len", seqLen);
            j.put("optimizer", r.optimizer().id());
            j.put("finetune", r.setup().finetune().id());
            if (r.setup().adapterDtype() != null) {
                j.put("adapter_dtype", r.setup().adapterDtype().id());
            }
            j.put("gpus", r.parallelism().gpus());
            j.put("strategy", r.parallelism().strategy().id());
            j.put("offload", r.parallelism().offload().id());
            if (pool != null) {
                j.put("engine", "vllm");
                j.put("gpu_memory_budget_bytes", pool.budgetBytes());
                j.put("kv_block_bytes", pool.blockBytes());
                j.put("kv_blocks", pool.blocks());
                j.put("max_concurrent_sequences", pool.maxConcurrentSequences());
            }
            j.put("params", e.params());
            j.put("peak_phase", e.peakPhase());
            j.put("peak_allocated_bytes", e.peakAllocatedBytes());
            j.put("reserved_bytes", e.reservedBytes());
            j.put("device_bytes", e.deviceBytes());
            j.put("usable_bytes", e.usableBytes());
            j.put("fits", e.fits());
            j.put("calibrated", e.calibrated());
            j.put("activation_factor", e.activationFactor());
            Map<String, Long> b = new LinkedHashMap<>();
            e.breakdown().forEach((k, v) -> b.put(k.id(), v));
            j.put("breakdown", b);
            Json.print(out, j);
        } else {
            out.printf(Locale.ROOT, "%s on %s, %s, %s, batch %d, %s%s: %,d parameters, peak at %s%n", md.id(), g.id(), m.id(),
                    p.id() + (r.setup().adapterDtype() != null ? " base with " + r.setup().adapterDtype().id() + " adapters" : ""), batch,
                    resolution != null ? resolution + " px" : seqLen + " tokens", m == Mode.TRAIN ? ", " + r.optimizer().id() : "",
                    e.params(), e.peakPhase());
            if (r.parallelism().multi() || r.parallelism().offload() != Offload.NONE) {
                out.printf(Locale.ROOT, "per GPU of %d, %s%s%n", r.parallelism().gpus(), r.parallelism().strategy().id(),
                        r.parallelism().offload() == Offload.NONE ? "" : ", offload " + r.parallelism().offload().id());
            }
            if (pool != null) {
                out.printf(Locale.ROOT, "vllm: %s budget (gpu_memory_utilization), %,d blocks of %d tokens: %d concurrent sequences of %d tokens%n",
                        Sizes.human(pool.budgetBytes()), pool.blocks(), VllmPool.BLOCK_TOKENS, pool.maxConcurrentSequences(), seqLen);
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
            out.printf(Locale.ROOT, "%s: %.0f%% of the card%s%n", e.fits() ? "fits" : "does not fit", 100 * e.utilization(),
                    e.calibrated() ? String.format(Locale.ROOT, " (calibrated: activations x%.3f from catalog/calibration.yaml)", e.activationFactor()) : "");
        }
        return Exits.OK;
    }

    /** The option behind an input that makes an estimate too large, with its value. */
    private String option(EstimateTooLargeException.Input input) {
        return switch (input) {
            case BATCH -> "--batch " + batch;
            case SIZE -> resolution != null ? "--resolution " + resolution : "--seq-len " + seqLen;
            case ADAPTERS -> trainableParams != null ? "--trainable-params " + trainableParams
                    : loraRank != null ? "--lora-rank " + loraRank : "--model " + model;
            case MODEL -> "--model " + model;
        };
    }
}
