package dev.vramplan.answer;

import dev.vramplan.catalog.Band;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Engine;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Offload;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Quantization;
import dev.vramplan.catalog.YoloSpec;
import dev.vramplan.estimate.BandedEstimate;
import dev.vramplan.estimate.Estimate;
import dev.vramplan.estimate.EstimateRequest;
import dev.vramplan.estimate.EstimateTooLargeException;
import dev.vramplan.estimate.Estimator;
import dev.vramplan.estimate.Parallelism;
import dev.vramplan.estimate.Setup;
import dev.vramplan.estimate.Strategy;
import dev.vramplan.estimate.VllmPool;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.input.Sizes;
import dev.vramplan.input.Suggest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What {@code estimate} answers: the memory of one configuration, and the JSON it prints. The command line and
 * {@code /api/estimate} both ask with a {@link Question} whose parameters are the command's options.
 */
public record EstimateAnswer(
        Model model,
        Gpu gpu,
        Mode mode,
        Precision precision,
        int batch,
        Integer resolutionPx,
        Integer seqLenTokens,
        EstimateRequest request,
        Estimate estimate,
        BandedEstimate banded,
        VllmPool.Plan pool) {

    /** The options of {@code estimate}, as given (null where not given). */
    public record Question(
            String model,
            String gpu,
            String mode,
            String precision,
            int batch,
            Integer resolutionPx,
            Integer seqLenTokens,
            String optimizer,
            boolean noFlashAttention,
            String finetune,
            Long trainableParams,
            Integer loraRank,
            String adapterDtype,
            boolean gradientCheckpointing,
            boolean ema,
            String quantization,
            String framework,
            Integer maxObjects,
            int gpus,
            String strategy,
            String offload,
            String engine,
            Double gpuMemoryUtilization) {
        /** A question about one card and today's generate. */
        public Question(
                String model,
                String gpu,
                String mode,
                String precision,
                int batch,
                Integer resolutionPx,
                Integer seqLenTokens,
                String optimizer,
                boolean noFlashAttention,
                String finetune,
                Long trainableParams,
                Integer loraRank,
                String adapterDtype,
                boolean gradientCheckpointing,
                boolean ema,
                String quantization,
                String framework,
                Integer maxObjects) {
            this(
                    model,
                    gpu,
                    mode,
                    precision,
                    batch,
                    resolutionPx,
                    seqLenTokens,
                    optimizer,
                    noFlashAttention,
                    finetune,
                    trainableParams,
                    loraRank,
                    adapterDtype,
                    gradientCheckpointing,
                    ema,
                    quantization,
                    framework,
                    maxObjects,
                    1,
                    null,
                    null,
                    null,
                    null);
        }
    }

    /** Checks the question, then against the catalog (loaded once the values are known good), and estimates it; bad or unknown values are a {@link FieldError}. */
    public static EstimateAnswer of(Question q, Supplier<Catalog> catalog) {
        Choices.range("--batch", q.batch(), 1, Limits.MAX_BATCH);
        Choices.range("--resolution", q.resolutionPx(), Limits.MIN_RESOLUTION, Limits.MAX_RESOLUTION);
        Choices.range("--seq-len", q.seqLenTokens(), 1, Limits.MAX_SEQ_LEN);
        Choices.range("--trainable-params", q.trainableParams(), 0, Limits.MAX_PARAMS);
        Choices.range("--lora-rank", q.loraRank(), 1, Limits.MAX_LORA_RANK);
        Choices.range("--gpus", q.gpus(), 1, Parallelism.MAX_GPUS);
        Mode m = Choices.choice("--mode", q.mode(), Mode.class);
        Precision p = Choices.choice("--precision", q.precision(), Precision.class);
        Optimizer o = q.optimizer() == null
                ? (m == Mode.TRAIN ? Optimizer.ADAMW : Optimizer.NONE)
                : Choices.choice("--optimizer", q.optimizer(), Optimizer.class);
        Catalog c = catalog.get();
        Model md = c.model(q.model());
        if (md == null) {
            throw FieldError.unknown(
                    "model",
                    "--model",
                    "unknown model \"" + q.model() + "\".",
                    Suggest.closest(q.model(), c.models().keySet()));
        }
        Gpu g = c.gpu(q.gpu());
        if (g == null) {
            throw FieldError.unknown(
                    "gpu",
                    "--gpu",
                    "unknown gpu \"" + q.gpu() + "\".",
                    Suggest.closest(q.gpu(), c.gpus().keySet()));
        }
        if (md.vision() && q.seqLenTokens() != null || !md.vision() && q.resolutionPx() != null) {
            throw md.vision()
                    ? FieldError.bad("seq-len", "--seq-len", q.model() + " takes images: give --resolution", null)
                    : FieldError.bad("resolution", "--resolution", q.model() + " takes text: give --seq-len", null);
        }
        try {
            Finetune ft =
                    q.finetune() == null ? Finetune.FULL : Choices.choice("--finetune", q.finetune(), Finetune.class);
            Quantization qz = q.quantization() == null
                    ? null
                    : Choices.choice("--quantization", q.quantization(), Quantization.class);
            Precision ad = q.adapterDtype() == null
                    ? null
                    : Choices.choice("--adapter-dtype", q.adapterDtype(), Precision.class);
            if (ad != null && !Setup.ADAPTER_DTYPES.contains(ad)) {
                throw FieldError.bad(
                        "adapter-dtype",
                        "--adapter-dtype",
                        "adapters train in fp32, bf16 or fp16, not " + ad.id(),
                        null);
            }
            if (ad != null && (m != Mode.TRAIN || ft == Finetune.FULL)) {
                throw FieldError.bad(
                        "adapter-dtype", "--adapter-dtype", "only a lora or qlora training job has adapters", null);
            }
            Framework fw = q.framework() == null ? null : Choices.choice("--framework", q.framework(), Framework.class);
            if (q.maxObjects() != null && !(md.architecture() instanceof YoloSpec)) {
                throw FieldError.bad(
                        "max-objects",
                        "--max-objects",
                        "counts a detector's labelled boxes; " + q.model() + " is not a detector",
                        null);
            }
            EstimateRequest r = new EstimateRequest(
                    md,
                    g,
                    m,
                    p,
                    q.batch(),
                    q.resolutionPx(),
                    q.seqLenTokens(),
                    o,
                    new Setup(
                                    ft,
                                    q.trainableParams(),
                                    q.loraRank(),
                                    q.gradientCheckpointing(),
                                    !q.noFlashAttention(),
                                    q.ema(),
                                    qz)
                            .calibrated(c.calibration(md))
                            .withAdapterDtype(ad != null ? ad : Setup.defaultAdapterDtype(m, ft, p))
                            .withFramework(fw)
                            .withMaxObjects(q.maxObjects()));
            Strategy st =
                    q.strategy() == null ? Strategy.SINGLE : Choices.choice("--strategy", q.strategy(), Strategy.class);
            Offload off = q.offload() == null ? Offload.NONE : Choices.choice("--offload", q.offload(), Offload.class);
            r = r.withParallelism(new Parallelism(q.gpus(), st, off));
            boolean vllm = q.engine() != null && Choices.choice("--engine", q.engine(), Engine.class) == Engine.VLLM;
            if (q.gpuMemoryUtilization() != null && !vllm) {
                throw FieldError.bad(
                        "gpu-memory-utilization",
                        "--gpu-memory-utilization",
                        "only --engine vllm takes a share of the card",
                        null);
            }
            VllmPool.Plan pool = null;
            Estimate e;
            if (vllm) {
                pool = VllmPool.plan(
                        r, q.gpuMemoryUtilization() == null ? VllmPool.DEFAULT_UTILIZATION : q.gpuMemoryUtilization());
                e = pool.estimate();
            } else {
                e = Estimator.estimate(r);
            }
            return new EstimateAnswer(
                    md,
                    g,
                    m,
                    p,
                    q.batch(),
                    q.resolutionPx(),
                    q.seqLenTokens(),
                    r,
                    e,
                    BandedEstimate.of(e, pool, r, c.bands()),
                    pool);
        } catch (EstimateTooLargeException tooLarge) {
            String line = tooLarge.line(input -> option(q, input));
            int colon = line.indexOf(": ");
            String first = option(q, tooLarge.inputs().get(0));
            throw FieldError.bad(
                    Choices.field(first.substring(0, first.indexOf(' '))),
                    line.substring(0, colon),
                    line.substring(colon + 2),
                    null);
        } catch (IllegalArgumentException iae) {
            throw new InvalidInputException(iae.getMessage());
        }
    }

    /** The option behind an input that makes an estimate too large, with its value. */
    private static String option(Question q, EstimateTooLargeException.Input input) {
        return switch (input) {
            case BATCH -> "--batch " + q.batch();
            case SIZE ->
                q.resolutionPx() != null ? "--resolution " + q.resolutionPx() : "--seq-len " + q.seqLenTokens();
            case ADAPTERS ->
                q.trainableParams() != null
                        ? "--trainable-params " + q.trainableParams()
                        : q.loraRank() != null ? "--lora-rank " + q.loraRank() : "--model " + q.model();
            case MODEL -> "--model " + q.model();
        };
    }

    /** {@code estimate --format json}. */
    public Map<String, Object> json() {
        Estimate e = estimate;
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model.id());
        j.put("gpu", gpu.id());
        j.put("mode", mode.id());
        j.put("precision", precision.id());
        j.put("batch", batch);
        j.put("resolution", resolutionPx);
        j.put("seq_len", seqLenTokens);
        j.put("optimizer", request.optimizer().id());
        j.put("finetune", request.setup().finetune().id());
        if (request.setup().adapterDtype() != null) {
            j.put("adapter_dtype", request.setup().adapterDtype().id());
        }
        j.put("gpus", request.parallelism().gpus());
        j.put("strategy", request.parallelism().strategy().id());
        j.put("offload", request.parallelism().offload().id());
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
        j.put("peak_allocated_bytes_high", banded.peakAllocatedBytesHigh());
        j.put("reserved_bytes_high", banded.reservedBytesHigh());
        j.put("device_bytes_high", banded.deviceBytesHigh());
        j.put("band", bandJson(banded.band()));
        j.put("usable_bytes", e.usableBytes());
        j.put("fits", e.fits());
        j.put("calibrated", e.calibrated());
        j.put("activation_factor", e.activationFactor());
        Map<String, Long> b = new LinkedHashMap<>();
        e.breakdown().forEach((k, v) -> b.put(k.id(), v));
        j.put("breakdown", b);
        return j;
    }

    /** {@code band} in JSON: the confidence, the group it came from and how many measured points that group holds. */
    static Map<String, Object> bandJson(Band b) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("confidence", b.confidence());
        j.put("group", b.group());
        j.put("points", b.points());
        return j;
    }

    /** The range of each total, or why there is none, as the table shows it. */
    public String bandLine() {
        Estimate e = banded.estimate();
        if (banded.band().points() == 0) {
            return "band: none (catalog/bands.yaml has no group for this job): plan on the estimate";
        }
        return String.format(
                Locale.ROOT,
                "%.0f%% band (group %s, %d measured points): peak_allocated %s to %s, reserved %s to %s,"
                        + " device %s to %s",
                100 * banded.band().confidence(),
                banded.band().group(),
                banded.band().points(),
                Sizes.human(e.peakAllocatedBytes()),
                Sizes.human(banded.peakAllocatedBytesHigh()),
                Sizes.human(e.reservedBytes()),
                Sizes.human(banded.reservedBytesHigh()),
                Sizes.human(e.deviceBytes()),
                Sizes.human(banded.deviceBytesHigh()));
    }
}
