package dev.vramplan.estimate;

import dev.vramplan.catalog.Architecture;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Quantization;
import dev.vramplan.catalog.TransformerSpec;
import dev.vramplan.estimate.EstimateTooLargeException.Input;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * GPU memory of one job, from physics: the tensors that exist on the card at the peak of a training step
 * or of a forward pass, plus what the allocator and the CUDA runtime hold. Pure functions, no I/O.
 *
 * <p>Training peak: the larger of (a) forward/backward: weights (and an EMA copy) + gradients + optimizer
 * states (kept from the previous step) + activations kept for backward + inputs/outputs/loss + workspace
 * (autocast's 16-bit weight copies, the gradient transient of the largest layer, cuBLAS), and (b) the
 * optimizer step: weights + gradients + states + the step's temporaries. Counting gradients and activations
 * together in (a) is an upper bound: backward frees activations as gradients appear.
 *
 * <p>Fine-tuning: {@code lora} freezes the base in the training precision and trains adapters; {@code qlora}
 * stores the frozen base in 4 bits. A frozen linear layer still keeps its input for backward (PyTorch saves
 * matmul inputs whether or not the weight needs a gradient), so adapters cut gradients and optimizer states,
 * not activations. The adapters, their gradients and optimizer states are in the base precision's trainable dtype
 * unless {@link Setup#adapterDtype()} says otherwise (an fp16 frozen base with fp32 adapters under autocast: PEFT's
 * default on cards without bf16).
 *
 * <p>Every estimate returned is exact in whole bytes: each component is rounded up once, and the totals are the
 * sums of the components ({@code peak_allocated} of the live tensors, {@code reserved} adds the allocator's cache,
 * {@code device} the runtime). A configuration with a component or total beyond {@link Limits#MAX_ESTIMATE_BYTES}
 * (1 PiB) gets no estimate: {@link EstimateTooLargeException} says which component and which inputs.
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
    /** bitsandbytes 8-bit Adam: two 1-byte states plus one fp32 absmax per 2048-element block each. */
    public static final double ADAM8BIT_BYTES_PER_PARAM = 2 + 2 * 4.0 / 2048;
    /** Cross-entropy over a vocabulary keeps fp32 logits and an fp32 gradient besides the model's logits. */
    public static final int LOSS_FP32_COPIES = 2;
    /** QLoRA's paged AdamW keeps 32-bit states for the adapters (bitsandbytes PagedAdamW default). */
    public static final int QLORA_STATE_BYTES = 4;

    private Estimator() {}

    /** Parameters derived from the architecture. */
    public static long params(Architecture a) {
        if (a instanceof TransformerSpec t) {
            return TransformerMath.params(t);
        }
        return VisionNet.params(a);
    }

    /**
     * The memory of one configuration, part by part.
     *
     * @throws EstimateTooLargeException when a component or the total is beyond {@link Limits#MAX_ESTIMATE_BYTES}
     */
    public static Estimate estimate(EstimateRequest r) {
        Job j = job(r);
        double[] parts = new double[COMPONENTS.length];
        long[] bytes = new long[COMPONENTS.length];
        String phase = j.fill(r.batch(), parts, null);
        if (!wholeBytes(parts, bytes)) {
            throw j.tooLarge(r.batch(), parts);
        }
        Map<Component, Long> breakdown = new EnumMap<>(Component.class);
        for (Component c : COMPONENTS) {
            breakdown.put(c, bytes[c.ordinal()]);
        }
        long[] t = totals(bytes);
        return new Estimate(
                breakdown,
                t[0],
                t[1],
                t[2],
                r.gpu().usableBytes(),
                j.s.params(),
                phase,
                r.setup().activationFactor());
    }

    private static final Component[] COMPONENTS = Component.values();

    /**
     * Each component in whole bytes (rounded up; absent ones, NaN in {@link Job#fill}, are 0) into {@code bytes}.
     * False when a component or their sum is beyond the bound: below it, doubles hold whole bytes exactly (2^50 <
     * 2^53) and no sum of the nine components can overflow a long.
     */
    private static boolean wholeBytes(double[] parts, long[] bytes) {
        long sum = 0;
        for (int i = 0; i < parts.length; i++) {
            double v = parts[i];
            if (Double.isNaN(v)) {
                bytes[i] = 0;
                continue;
            }
            if (!(v <= Limits.MAX_ESTIMATE_BYTES)) {
                return false;
            }
            if (v < 0) {
                throw new IllegalStateException(COMPONENTS[i].id() + " came out negative: " + v);
            }
            bytes[i] = (long) Math.ceil(v);
            sum += bytes[i];
        }
        return sum <= Limits.MAX_ESTIMATE_BYTES;
    }

    /**
     * {peak allocated, reserved, device}: the live tensors, plus the allocator's cache, plus the runtime; the only
     * place totals are made, in exact arithmetic.
     */
    private static long[] totals(long[] bytes) {
        long peak = 0;
        for (Component c : COMPONENTS) {
            if (c != Component.ALLOCATOR_CACHE && c != Component.RUNTIME) {
                peak = Math.addExact(peak, bytes[c.ordinal()]);
            }
        }
        long reserved = Math.addExact(peak, bytes[Component.ALLOCATOR_CACHE.ordinal()]);
        return new long[] {peak, reserved, Math.addExact(reserved, bytes[Component.RUNTIME.ordinal()])};
    }

    /** Device bytes at {@code batch}, without the breakdown; {@link Long#MAX_VALUE} beyond the bound (fits no card). */
    private static long deviceBytes(Job j, int batch, double[] parts, long[] bytes) {
        j.fill(batch, parts, null);
        return wholeBytes(parts, bytes) ? totals(bytes)[2] : Long.MAX_VALUE;
    }

    /** Everything about a request that does not depend on the batch: worked out once per request. */
    private static Job job(EstimateRequest r) {
        Precision p = r.precision();
        Setup setup = r.setup();
        boolean train = r.mode() == Mode.TRAIN;
        Quantization quant = r.quantization();
        int e = quant != null ? quant.computeBytes() : p.activationBytes();
        Finetune ft = train ? setup.finetune() : Finetune.FULL;
        boolean adapters = ft != Finetune.FULL;
        if (adapters && !(r.model().architecture() instanceof TransformerSpec)) {
            throw new IllegalArgumentException(ft.id() + " fine-tuning applies to transformers; "
                    + r.model().id() + " is a CNN");
        }
        r.parallelism().check(r.mode(), r.model());
        Framework fw = setup.framework() != null
                ? setup.framework()
                : Framework.defaultFor(r.model().architecture());
        int maxObjects = setup.maxObjects() != null ? setup.maxObjects() : DetectorLoss.TYPICAL_MAX_OBJECTS;
        boolean deepSpeed = train && CrossEntropy.deepSpeed(r, fw);
        Shape s = Shape.of(
                r, e, train, ft, p.autocast() && !deepSpeed, fw, maxObjects, CrossEntropy.inFp32(r.model(), deepSpeed));
        Precision adapterDtype = setup.adapterDtype() != null ? setup.adapterDtype() : Peft.adapterDtype(fw, ft);
        double otherBytes =
                quant == null ? 0 : train ? Peft.frozenOtherBytes(fw, ft, quant.computeBytes()) : quant.computeBytes();
        long runtime = r.gpu().runtimeBytes() != null ? r.gpu().runtimeBytes() : RUNTIME_DEFAULT_BYTES;
        return new Job(
                r,
                p,
                setup,
                train,
                quant,
                ft,
                adapters,
                s,
                runtime,
                adapterDtype,
                otherBytes,
                LightningBnb.of(r, fw, quant, p, s),
                deepSpeed);
    }

    /**
     * @param adapterDtype the adapters' dtype when it is not the precision's (null: the precision's)
     * @param otherBytes   quantized models: bytes per parameter outside the quantized matrices (norms, embeddings, head)
     */
    private record Job(
            EstimateRequest r,
            Precision p,
            Setup setup,
            boolean train,
            Quantization quant,
            Finetune ft,
            boolean adapters,
            Shape s,
            long runtime,
            Precision adapterDtype,
            double otherBytes,
            LightningBnb.Terms bnb,
            boolean deepSpeed) {
        /**
         * The components at batch {@code batch} into {@code parts} (NaN: not present); returns the peak's phase.
         * With {@code drivers}, also what drives each component's largest term (for {@link #tooLarge}): the model, the
         * adapters, or {@code BATCH} for a term of batch × what one sample of this input size needs.
         */
        String fill(int batch, double[] parts, Input[] drivers) {
            Arrays.fill(parts, Double.NaN);
            double b = batch;
            // weights: the (frozen) base, quantized or in the precision's storage width, plus adapters
            double other = s.params() - s.matrixParams();
            double weights;
            if (quant != null) {
                double head = bnb.lmHeadParams(); // quantized with the blocks under LitGPT (LightningBnb)
                weights = quant.bytesPerWeight(p) * (s.matrixParams() + head) + otherBytes * (other - head);
            } else {
                weights = p.weightBytes() * s.params();
            }
            long trainable = !train
                    ? 0
                    : !adapters
                            ? s.params()
                            : setup.trainableParams() != null
                                    ? setup.trainableParams()
                                    : LitgptAdapters.applies(ft)
                                            ? s.defaultTrainableAdapters()
                                            : s.defaultTrainableAdapters()
                                                    * (setup.loraRank() == null
                                                            ? Setup.DEFAULT_LORA_RANK
                                                            : setup.loraRank());
            double stateBytes =
                    quant != null ? (ft == Finetune.QLORA ? QLORA_STATE_BYTES : quant.computeBytes()) : p.stateBytes();
            double gradBytes = quant != null ? quant.computeBytes() : p.stateBytes();
            double adapterBytes = quant != null ? quant.computeBytes() : p.stateBytes();
            if (adapters && adapterDtype != null) {
                // adapters in their own dtype beside the frozen base: PEFT upcasts fp16/bf16 adapter weights to fp32 by
                // default (get_peft_model(..., autocast_adapter_dtype=True) → BaseTuner._cast_adapter_dtype in
                // huggingface/peft src/peft/tuners/tuners_utils.py: "only upcasts float16 and bfloat16 to float32"),
                // and
                // their gradients and optimizer states follow the parameters' dtype
                adapterBytes = adapterDtype.stateBytes();
                gradBytes = adapterBytes;
                stateBytes = ft == Finetune.QLORA ? Math.max(QLORA_STATE_BYTES, adapterBytes) : adapterBytes;
            }
            double adapterWeights = adapters ? adapterBytes * (double) trainable : 0;
            weights += adapterWeights;
            // what the trainable parameters' memory scales with: the adapters, or the model itself
            Input trained = adapters ? Input.ADAPTERS : Input.MODEL;
            String phase;
            if (train) {
                double grads = gradBytes * trainable;
                double factoredShare = s.params() == 0 ? 0 : (double) trainable / s.params();
                double states =
                        switch (r.optimizer()) {
                            case ADAMW -> 2 * stateBytes * trainable;
                            case ADAMW_8BIT -> ADAM8BIT_BYTES_PER_PARAM * trainable;
                            case SGD -> stateBytes * trainable;
                            case ADAFACTOR ->
                                stateBytes * (adapters ? trainable : s.factored() * Math.min(1, factoredShare));
                            case NONE -> 0.0;
                        };
                // foreach AdamW allocates sqrt(v) for every parameter; Nesterov SGD and Adafactor an update of the same
                // size
                double stepTemp =
                        switch (r.optimizer()) {
                            case ADAMW, SGD, ADAFACTOR -> stateBytes * trainable;
                            case ADAMW_8BIT, NONE -> 0.0;
                        };
                double ema = setup.ema() ? p.weightBytes() * s.params() : 0;
                double k = setup.activationFactor();
                double activations = k
                        * b
                        * (setup.gradientCheckpointing() ? s.checkpointedBytesPerSample() : s.savedBytesPerSample());
                // optimizer none is a profile of forward and backward, as Ultralytics' AutoBatch runs it: backward of
                // the summed outputs, no loss; the profile sets x.requires_grad = True on the image batch, so backward
                // also leaves x.grad, an fp32 copy of the input (ultralytics/yolov5 utils/torch_utils.py profile,
                // commit 0067b57; ultralytics/utils/torch_utils.py profile_ops is its port)
                boolean loss = r.optimizer() != Optimizer.NONE;
                boolean imageGrad = !loss && !(r.model().architecture() instanceof TransformerSpec);
                double io = k
                        * b
                        * (s.inputBytesPerSample() * (imageGrad ? 2 : 1)
                                + s.outputBytesPerSample()
                                + (loss ? s.lossBytesPerSample() : 0));
                double autocastCopies = AutocastCache.bytes(
                        p, quant, adapters, deepSpeed, adapterBytes, trainable, s.params(), s.largestMatrixBytes());
                double gradTransient = 2 * b * s.largestBytesPerSample();
                double dequant =
                        bnb.trainingBytes(k * b * s.outputBytesPerSample(), loss ? k * b * s.lossBytesPerSample() : 0);
                // the loss's own working set (YOLOv8's assigner) ends before backward's first gradient transient
                double peakTransient = Math.max(gradTransient, loss ? b * s.lossTransientBytesPerSample() : 0);
                Sharding.PerGpu g = Sharding.train(
                        r.parallelism(),
                        p.autocast(),
                        quant != null ? quant.computeBytes() : p.activationBytes(),
                        weights,
                        ema,
                        grads,
                        states,
                        stepTemp,
                        autocastCopies,
                        trainable,
                        s.params(),
                        r.model().architecture());
                stepTemp = g.stepTemp();
                autocastCopies = g.autocastCopies();
                double forwardBackward = activations + io + autocastCopies + peakTransient + dequant;
                put(parts, Component.WEIGHTS, g.weights());
                put(parts, Component.GRADIENTS, g.gradients());
                put(parts, Component.OPTIMIZER_STATES, g.optimizerStates());
                put(parts, Component.COMMUNICATION, g.communication());
                if (drivers != null) {
                    drivers[Component.WEIGHTS.ordinal()] =
                            adapterWeights > weights - adapterWeights + ema ? Input.ADAPTERS : Input.MODEL;
                    drivers[Component.GRADIENTS.ordinal()] = trained;
                    drivers[Component.OPTIMIZER_STATES.ordinal()] = trained;
                    drivers[Component.ACTIVATIONS.ordinal()] = Input.BATCH;
                    drivers[Component.INPUT_OUTPUT.ordinal()] = Input.BATCH;
                }
                if (forwardBackward >= stepTemp) {
                    phase = "forward/backward";
                    put(parts, Component.ACTIVATIONS, activations);
                    put(parts, Component.INPUT_OUTPUT, io);
                    put(parts, Component.WORKSPACE, autocastCopies + peakTransient + dequant + CUBLAS_WORKSPACE_BYTES);
                    if (drivers != null) {
                        drivers[Component.WORKSPACE.ordinal()] =
                                peakTransient >= autocastCopies + dequant ? Input.BATCH : Input.MODEL;
                    }
                } else {
                    phase = "optimizer step";
                    put(parts, Component.WORKSPACE, stepTemp + CUBLAS_WORKSPACE_BYTES);
                    if (drivers != null) {
                        drivers[Component.WORKSPACE.ordinal()] = trained;
                    }
                }
            } else {
                phase = "forward";
                // a quantized layer dequantizes its weight to the compute dtype for the prompt's matmuls
                double dequant = bnb.dequantBytes();
                weights = TensorParallel.weights(
                        r,
                        weights,
                        (quant != null ? quant.bytesPerWeight() : p.weightBytes()) * s.matrixParams(),
                        quant != null ? quant.computeBytes() : p.weightBytes()); // tensor parallel: split per GPU
                put(parts, Component.COMMUNICATION, TensorParallel.communication(r));
                put(parts, Component.WEIGHTS, weights);
                double k = setup.activationFactor();
                put(
                        parts,
                        Component.ACTIVATIONS,
                        TensorParallel.inferenceActivations(
                                r,
                                k * b * s.inferenceBytesPerSample(),
                                quant != null ? quant.computeBytes() : p.activationBytes()));
                put(parts, Component.KV_CACHE, TensorParallel.kv(r, b * s.kvBytesPerSample()));
                put(parts, Component.INPUT_OUTPUT, k * b * (s.inputBytesPerSample() + s.outputBytesPerSample()));
                put(parts, Component.WORKSPACE, dequant + CUBLAS_WORKSPACE_BYTES);
                if (drivers != null) {
                    drivers[Component.WEIGHTS.ordinal()] = Input.MODEL;
                    drivers[Component.ACTIVATIONS.ordinal()] = Input.BATCH;
                    drivers[Component.KV_CACHE.ordinal()] = Input.BATCH;
                    drivers[Component.INPUT_OUTPUT.ordinal()] = Input.BATCH;
                    drivers[Component.WORKSPACE.ordinal()] = Input.MODEL;
                }
            }
            // the allocator's share is of everything allocated, summed in component order with Kahan's compensation
            double allocated = 0;
            double compensation = 0;
            for (double v : parts) {
                if (!Double.isNaN(v)) {
                    double y = v - compensation;
                    double t = allocated + y;
                    compensation = (t - allocated) - y;
                    allocated = t;
                }
            }
            put(parts, Component.ALLOCATOR_CACHE, allocated * ALLOCATOR_FRAGMENTATION + ALLOCATOR_SEGMENT_BYTES);
            put(parts, Component.RUNTIME, (double) runtime);
            return phase;
        }

        private static void put(double[] parts, Component c, double v) {
            parts[c.ordinal()] = v;
        }

        /**
         * Why {@code parts} (filled at {@code batch}) has no estimate: the largest of the tensors' components and
         * the inputs behind it. A component that grows with the batch names the batch only when one sample stays
         * within the bound (else the input size alone is too large).
         */
        EstimateTooLargeException tooLarge(int batch, double[] parts) {
            Input[] drivers = new Input[COMPONENTS.length];
            fill(batch, parts, drivers);
            Component largest = null;
            double total = 0;
            for (Component c : COMPONENTS) {
                double v = parts[c.ordinal()];
                if (Double.isNaN(v)) {
                    continue;
                }
                total += v;
                if (drivers[c.ordinal()] != null && (largest == null || v > parts[largest.ordinal()])) {
                    largest = c;
                }
            }
            double v = parts[largest.ordinal()];
            Input d = drivers[largest.ordinal()];
            List<Input> inputs;
            if (d != Input.BATCH) {
                inputs = List.of(d);
            } else if (batch > 1
                    && deviceBytes(this, 1, new double[COMPONENTS.length], new long[COMPONENTS.length])
                            != Long.MAX_VALUE) {
                inputs = List.of(Input.BATCH, Input.SIZE);
            } else {
                inputs = List.of(Input.SIZE);
            }
            return new EstimateTooLargeException(largest, v, total, inputs);
        }
    }

    /**
     * The largest batch in [1, limit] whose estimate stays within {@code budgetBytes}, or 0 when even 1 does not. A
     * batch beyond the bound fits no budget; this never throws {@link EstimateTooLargeException}.
     */
    public static int maxBatch(EstimateRequest template, long budgetBytes, int limit) {
        Job j = job(template);
        double[] parts = new double[COMPONENTS.length];
        long[] bytes = new long[COMPONENTS.length];
        int lo = 0;
        int hi = Math.max(1, Math.min(limit, EstimateRequest.MAX_BATCH));
        if (deviceBytes(j, 1, parts, bytes) > budgetBytes) {
            return 0; // not even one sample: the common answer on a card too small, without the bisection
        }
        while (lo < hi) {
            int mid = lo + (hi - lo + 1) / 2;
            if (deviceBytes(j, mid, parts, bytes) <= budgetBytes) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
