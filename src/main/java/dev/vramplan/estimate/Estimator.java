package dev.vramplan.estimate;

import dev.vramplan.catalog.Architecture;
import dev.vramplan.catalog.CnnSpec;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.TransformerSpec;
import dev.vramplan.catalog.YoloSpec;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * GPU memory of one job, from physics: the tensors that exist on the card at the peak of a training step
 * or of a forward pass, plus what the allocator and the CUDA runtime hold. Pure functions, no I/O.
 *
 * <p>Training peak: the larger of (a) forward/backward: weights + gradients + optimizer states (kept from the
 * previous step) + activations kept for backward + inputs/outputs/loss + workspace (autocast's 16-bit weight
 * copies, the gradient transient of the largest layer, cuBLAS), and (b) the optimizer step: weights +
 * gradients + states + the step's temporaries. Counting gradients and activations together in (a) is an
 * upper bound: backward frees activations as gradients appear.
 */
public final class Estimator {
    /** CUDA context with PyTorch's kernels loaded, measured alone on a V100 in Hugging Face's "Model training anatomy" (1343 MB). */
    public static final long RUNTIME_DEFAULT_BYTES = 1343L << 20;
    /** cuBLAS workspace per handle as PyTorch configures it (":4096:2:16:8" = 2 × 4 MiB + 8 × 16 KiB; PyTorch reproducibility notes). */
    public static final long CUBLAS_WORKSPACE_BYTES = 2 * (4L << 20) + 8 * (16L << 10);
    /** PyTorch's CUDA caching allocator maps large blocks in 20 MiB segments (kLargeBuffer, c10/cuda/CUDACachingAllocator.cpp). */
    public static final long ALLOCATOR_SEGMENT_BYTES = 20L << 20;
    /**
     * Share of allocated memory the caching allocator keeps on top (2 MiB rounding of large blocks and
     * fragmentation). An allowance, not a measurement: calibrate it with `reserved` measurements.
     */
    public static final double ALLOCATOR_FRAGMENTATION = 0.05;
    /** NF4 keeps one fp32 absmax per 64 weights (Dettmers et al. 2023, QLoRA): 0.5 + 4/64 bytes per weight. */
    public static final double NF4_BYTES_PER_WEIGHT = 0.5 + 4.0 / 64;
    /** LLM.int8 / fp8: one fp32 scale per row; rows are ≥ 4096 wide in the models this matters for. */
    public static final double INT8_BYTES_PER_WEIGHT = 1 + 4.0 / 4096;
    /** bitsandbytes 8-bit Adam: two 1-byte states plus one fp32 absmax per 2048-element block each. */
    public static final double ADAM8BIT_BYTES_PER_PARAM = 2 + 2 * 4.0 / 2048;
    /** Cross-entropy over a vocabulary keeps fp32 logits and an fp32 gradient besides the model's logits. */
    public static final int LOSS_FP32_COPIES = 2;

    private Estimator() {
    }

    /** What an architecture contributes, independent of batch: parameters and per-sample activation sizes. */
    private record Shape(long params, long matrixParams, double factored, double savedBytesPerSample,
                         double inferenceBytesPerSample, double largestBytesPerSample, double inputBytesPerSample,
                         double outputBytesPerSample, double lossBytesPerSample, double kvBytesPerSample) {
    }

    /** Parameters derived from the architecture. */
    public static long params(Architecture a) {
        if (a instanceof TransformerSpec t) {
            return TransformerMath.params(t);
        }
        return VisionNet.params(a);
    }

    public static Estimate estimate(EstimateRequest r) {
        Precision p = r.precision();
        boolean train = r.mode() == Mode.TRAIN;
        int e = p.activationBytes();
        Shape s = shape(r, e, train);
        double b = r.batch();

        double other = s.params - s.matrixParams;
        double weights = switch (p) {
            case FP32, AMP_BF16, AMP_FP16 -> 4.0 * s.params;
            case BF16, FP16 -> 2.0 * s.params;
            case FP8, INT8 -> INT8_BYTES_PER_WEIGHT * s.matrixParams + 2 * other;
            case INT4 -> NF4_BYTES_PER_WEIGHT * s.matrixParams + 2 * other;
        };
        Map<Component, Double> parts = new EnumMap<>(Component.class);
        String phase;
        if (train) {
            double stateBytes = p.stateBytes();
            double grads = stateBytes * s.params;
            double states = switch (r.optimizer()) {
                case ADAMW -> 2 * stateBytes * s.params;
                case ADAMW_8BIT -> ADAM8BIT_BYTES_PER_PARAM * s.params;
                case SGD -> stateBytes * s.params;
                case ADAFACTOR -> stateBytes * s.factored;
                case NONE -> 0.0;
            };
            // foreach AdamW allocates sqrt(v) for every parameter; Nesterov SGD and Adafactor an update of the same size
            double stepTemp = switch (r.optimizer()) {
                case ADAMW, SGD, ADAFACTOR -> stateBytes * s.params;
                case ADAMW_8BIT, NONE -> 0.0;
            };
            double activations = b * s.savedBytesPerSample;
            double io = b * (s.inputBytesPerSample + s.outputBytesPerSample + s.lossBytesPerSample);
            double autocastCopies = p.autocast() ? 2.0 * s.params : 0;
            double gradTransient = 2 * b * s.largestBytesPerSample;
            double forwardBackward = activations + io + autocastCopies + gradTransient;
            parts.put(Component.WEIGHTS, weights);
            parts.put(Component.GRADIENTS, grads);
            parts.put(Component.OPTIMIZER_STATES, states);
            if (forwardBackward >= stepTemp) {
                phase = "forward/backward";
                parts.put(Component.ACTIVATIONS, activations);
                parts.put(Component.INPUT_OUTPUT, io);
                parts.put(Component.WORKSPACE, autocastCopies + gradTransient + CUBLAS_WORKSPACE_BYTES);
            } else {
                phase = "optimizer step";
                parts.put(Component.WORKSPACE, stepTemp + CUBLAS_WORKSPACE_BYTES);
            }
        } else {
            phase = "forward";
            parts.put(Component.WEIGHTS, weights);
            parts.put(Component.ACTIVATIONS, b * s.inferenceBytesPerSample);
            parts.put(Component.KV_CACHE, b * s.kvBytesPerSample);
            parts.put(Component.INPUT_OUTPUT, b * (s.inputBytesPerSample + s.outputBytesPerSample));
            parts.put(Component.WORKSPACE, (double) CUBLAS_WORKSPACE_BYTES);
        }
        double allocated = parts.values().stream().mapToDouble(Double::doubleValue).sum();
        double cache = allocated * ALLOCATOR_FRAGMENTATION + ALLOCATOR_SEGMENT_BYTES;
        long runtime = r.gpu().runtimeBytes() != null ? r.gpu().runtimeBytes() : RUNTIME_DEFAULT_BYTES;
        parts.put(Component.ALLOCATOR_CACHE, cache);
        parts.put(Component.RUNTIME, (double) runtime);

        Map<Component, Long> breakdown = new EnumMap<>(Component.class);
        long peak = 0;
        for (Component c : Component.values()) {
            long v = bytes(parts.getOrDefault(c, 0.0));
            breakdown.put(c, v);
            if (c != Component.ALLOCATOR_CACHE && c != Component.RUNTIME) {
                peak = sat(peak + v);
            }
        }
        long reserved = sat(peak + breakdown.get(Component.ALLOCATOR_CACHE));
        long device = sat(reserved + breakdown.get(Component.RUNTIME));
        return new Estimate(breakdown, peak, reserved, device, r.gpu().usableBytes(), s.params, phase);
    }

    /** No estimate exceeds 2^60 bytes (an exabyte): beyond that, "does not fit" is all that matters. */
    static final long CAP = 1L << 60;

    private static long bytes(double v) {
        if (!(v >= 0)) {
            return 0;
        }
        return v >= CAP ? CAP : (long) Math.ceil(v);
    }

    private static long sat(long v) {
        return v < 0 || v > CAP ? CAP : v;
    }

    /** Shapes per (architecture, input size, activation width, attention kernel, mode): planning asks for the same ones often. */
    private static final Map<List<Object>, Shape> SHAPES = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<List<Object>, Shape> eldest) {
                    return size() > 4096;
                }
            });

    private static Shape shape(EstimateRequest r, int e, boolean train) {
        List<Object> key = java.util.Arrays.asList(r.model().architecture(), r.resolutionPx(), r.seqLenTokens(), e,
                r.flashAttention(), train);
        Shape s = SHAPES.get(key);
        if (s == null) {
            s = computeShape(r, e, train);
            SHAPES.put(key, s);
        }
        return s;
    }

    private static Shape computeShape(EstimateRequest r, int e, boolean train) {
        Architecture a = r.model().architecture();
        if (a instanceof TransformerSpec t) {
            return transformerShape(t, r, e, train);
        }
        int res = r.resolutionPx();
        VisionNet n = a instanceof YoloSpec y ? VisionNet.yolo(y, res) : VisionNet.cnn((CnnSpec) a, res);
        double input = 4.0 * 3 * res * res;                        // the fp32 image batch
        double output = (double) e * n.outputElements;
        double loss = train ? 4.0 * LOSS_FP32_COPIES * n.outputElements : 0;
        return new Shape(n.params, n.matrixParams, n.factoredElements,
                e * n.savedElements + 8 * n.savedIndexElements,
                e * n.inferencePeakElements, e * n.largestElements, input, output, loss, 0);
    }

    private static Shape transformerShape(TransformerSpec t, EstimateRequest r, int e, boolean train) {
        boolean vision = t.kind() == TransformerSpec.Kind.VISION;
        double s = vision ? t.tokensForImage(r.resolutionPx()) : r.seqLenTokens();
        boolean flash = r.flashAttention();
        long params = TransformerMath.params(t);
        long matrix = (long) t.layers() * TransformerMath.blockMatrixParams(t);
        double saved = t.layers() * TransformerMath.savedBytesPerLayer(t, 1, s, e, flash)
                + 2.0 * e * s * t.hidden();                        // embedding output and final-norm input
        double inference = TransformerMath.inferenceWorkingBytes(t, 1, s, e, flash);
        double largest = TransformerMath.largestTensorBytes(t, 1, s, e, flash);
        double input;
        double output;
        double loss = 0;
        double kv = 0;
        if (vision) {
            input = 4.0 * 3 * r.resolutionPx() * r.resolutionPx();
            output = (double) e * t.numClasses();
        } else {
            input = 8.0 * s * (train ? 2 : 1);                     // int64 token ids (and labels when training)
            if (t.kind() == TransformerSpec.Kind.DECODER) {
                output = (double) e * s * t.vocab();               // logits for every position
                if (train) {
                    loss = (e == 4 ? 1 : LOSS_FP32_COPIES) * 4.0 * s * t.vocab();
                } else {
                    output += 4.0 * t.vocab();                     // the last position's fp32 logits for sampling
                    kv = 2.0 * t.layers() * t.kvHeads() * t.headDim() * e * s;
                }
            } else {
                output = (double) e * 2;                            // a classification head
            }
        }
        double factored = TransformerMath.factoredElements(t);
        return new Shape(params, matrix, factored, saved, inference, largest, input, output, loss, kv);
    }

    /** The largest batch in [1, limit] whose estimate stays within {@code budgetBytes}, or 0 when even 1 does not. */
    public static int maxBatch(EstimateRequest template, long budgetBytes, int limit) {
        int lo = 0;
        int hi = Math.max(1, Math.min(limit, EstimateRequest.MAX_BATCH));
        while (lo < hi) {
            int mid = lo + (hi - lo + 1) / 2;
            if (estimate(withBatch(template, mid)).deviceBytes() <= budgetBytes) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    public static EstimateRequest withBatch(EstimateRequest r, int batch) {
        return new EstimateRequest(r.model(), r.gpu(), r.mode(), r.precision(), batch, r.resolutionPx(),
                r.seqLenTokens(), r.optimizer(), r.flashAttention());
    }

    static boolean isTraining(Optimizer o) {
        return o != Optimizer.NONE;
    }
}
