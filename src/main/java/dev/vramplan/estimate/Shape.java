package dev.vramplan.estimate;

import dev.vramplan.catalog.Architecture;
import dev.vramplan.catalog.CnnSpec;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Quantization;
import dev.vramplan.catalog.TransformerSpec;
import dev.vramplan.catalog.YoloSpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an architecture contributes to a job, independent of the batch: parameters and per-sample sizes of what is
 * kept for backward, alive in a forward, read and written, and what the loss or the adapters add.
 *
 * @param lossTransientBytesPerSample a loss-side working set freed before backward (YOLOv8/YOLO11's assigner)
 * @param defaultTrainableAdapters    lora/qlora: adapter parameters per unit of rank; adapter/adapter-v2: the count
 */
record Shape(
        long params,
        long matrixParams,
        double factored,
        double savedBytesPerSample,
        double checkpointedBytesPerSample,
        double inferenceBytesPerSample,
        double largestBytesPerSample,
        double inputBytesPerSample,
        double outputBytesPerSample,
        double lossBytesPerSample,
        double lossTransientBytesPerSample,
        double kvBytesPerSample,
        long defaultTrainableAdapters,
        double largestMatrixBytes) {

    /** An architecture compared by identity: hashing a YOLO layer list on every estimate costs more than the estimate. */
    private record Same(Architecture a) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Same s && s.a == a;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(a);
        }
    }

    /** What a shape depends on. */
    private record Key(
            Same architecture,
            String family,
            Integer resolutionPx,
            Integer seqLenTokens,
            int e,
            boolean flash,
            boolean train,
            Finetune ft,
            boolean autocast,
            Framework framework,
            int maxObjects,
            boolean fp32Loss,
            LoraDropout.Adapted adapted,
            Precision adapterDtype,
            Quantization quantization) {}

    /**
     * Shapes already worked out: planning asks for the same ones often, from several threads. A shape follows from
     * its key alone, so the cache is simply emptied when it grows past its bound (a fleet with thousands of models).
     */
    private static final int CACHED_SHAPES = 4096;

    private static final Map<Key, Shape> SHAPES = new ConcurrentHashMap<>(256);

    /**
     * @param ft         the fine-tuning method of a training job (full for inference)
     * @param framework  the training or serving code (never null: the family's default is resolved by the caller)
     * @param maxObjects detectors: labelled boxes in the busiest image of the batch
     * @param fp32Loss   a 16-bit language model's cross-entropy keeps fp32 copies of the logits ({@link CrossEntropy})
     */
    static Shape of(
            EstimateRequest r,
            int e,
            boolean train,
            Finetune ft,
            boolean autocast,
            Framework framework,
            int maxObjects,
            boolean fp32Loss) {
        Key key = new Key(
                new Same(r.model().architecture()),
                r.model().family(),
                r.resolutionPx(),
                r.seqLenTokens(),
                e,
                r.flashAttention(),
                train,
                ft,
                autocast,
                framework,
                maxObjects,
                fp32Loss,
                adapted(r),
                r.setup().adapterDtype(),
                r.quantization());
        Shape s = SHAPES.get(key);
        if (s == null) {
            s = compute(r, e, train, ft, autocast, framework, maxObjects, fp32Loss, key.adapted());
            if (SHAPES.size() >= CACHED_SHAPES) {
                SHAPES.clear();
            }
            SHAPES.put(key, s);
        }
        return s;
    }

    private static Shape compute(
            EstimateRequest r,
            int e,
            boolean train,
            Finetune ft,
            boolean autocast,
            Framework framework,
            int maxObjects,
            boolean fp32Loss,
            LoraDropout.Adapted adapted) {
        Architecture a = r.model().architecture();
        if (a instanceof TransformerSpec t) {
            return transformer(t, r, e, train, ft, autocast, framework, fp32Loss, adapted);
        }
        int res = r.resolutionPx();
        VisionNet n = a instanceof YoloSpec y ? VisionNet.yolo(y, res) : VisionNet.cnn((CnnSpec) a, res);
        double input = 4.0 * 3 * res * res; // the fp32 image batch
        double output = (double) e * n.outputElements;
        double loss = 0;
        double lossTransient = 0;
        if (train) {
            if (a instanceof YoloSpec y && y.family().equals("yolov5")) {
                loss = DetectorLoss.v5SavedBytesPerImage(n.gridCells, y.anchors(), e);
            } else if (a instanceof YoloSpec y) {
                loss = DetectorLoss.v8SavedBytesPerImage(n.gridCells, y.numClasses(), e);
                lossTransient =
                        DetectorLoss.assignerPeakBytesPerImage(n.gridCells, y.numClasses(), maxObjects, framework);
            } else {
                loss = 4.0 * Estimator.LOSS_FP32_COPIES * n.outputElements;
            }
        }
        double saved = e * n.savedElements + 8 * n.savedIndexElements;
        return new Shape(
                n.params,
                n.matrixParams,
                n.factoredElements,
                saved,
                saved,
                e * n.inferencePeakElements,
                e * n.largestElements,
                input,
                output,
                loss,
                lossTransient,
                0,
                0,
                0);
    }

    /** Which layers carry the adapters, as the request's trainable count says ({@link LoraDropout#adapted}). */
    private static LoraDropout.Adapted adapted(EstimateRequest r) {
        return r.model().architecture() instanceof TransformerSpec t
                ? LoraDropout.adapted(t, r.setup().trainableParams())
                : LoraDropout.Adapted.EVERY_LINEAR;
    }

    private static Shape transformer(
            TransformerSpec t,
            EstimateRequest r,
            int e,
            boolean train,
            Finetune ft,
            boolean autocast,
            Framework framework,
            boolean fp32Loss,
            LoraDropout.Adapted adapted) {
        boolean vision = t.kind() == TransformerSpec.Kind.VISION;
        double s = vision ? t.tokensForImage(r.resolutionPx()) : r.seqLenTokens();
        boolean flash = r.flashAttention();
        boolean lowRank = ft == Finetune.LORA || ft == Finetune.QLORA;
        long params = TransformerMath.params(t) + LitgptHead.extraParams(t, framework);
        long matrix = (long) t.layers() * TransformerMath.blockMatrixParams(t);
        // adapters on every linear layer unless a trainable count says otherwise (adapted, worked out for the key)
        Projections modules = Projections.of(r.model(), t, framework);
        double adapterInputs = lowRank ? LoraDropout.inputsPerToken(t, modules, adapted) : 0;
        Precision adapterDtype =
                r.setup().adapterDtype() != null ? r.setup().adapterDtype() : Peft.adapterDtype(framework, ft);
        int adapterBytes = adapterDtype != null ? Math.max(e, adapterDtype.activationBytes()) : e;
        // a frozen 16-bit base keeps none of its inputs, a trained or bitsandbytes-quantized one does; when the adapted
        // layers are not known, each linear layer's input is counted once, kept either by the base or by a dropout
        Quantization quant = r.quantization();
        boolean baseKeepsInputs = !lowRank || quant != null || adapted == LoraDropout.Adapted.UNKNOWN;
        double perLayer = TransformerMath.savedBytesPerLayer(
                t, 1, s, e, flash, adapterInputs, adapterBytes, baseKeepsInputs, autocast, modules);
        if (lowRank) {
            perLayer += adapterBytes * s * LoraDropout.zeroPadPerToken(t, framework, adapted);
        }
        perLayer += s * KvRepeat.extraBytesPerToken(t, framework, train, e);
        double outer = TransformerMath.outerSavedBytes(t, 1, s, e, autocast);
        double saved = LitgptAdapters.applies(ft)
                ? LitgptAdapters.savedBytesPerSample(t, ft, s, e, perLayer, outer)
                : t.layers() * perLayer + outer;
        if (train && lowRank && LightningBnb.keepsPreviousStep(framework, quant)) {
            // the previous step's 4-bit layers' inputs, the LM head's included, until this step's forward returns
            saved += t.layers() * TransformerMath.baseInputBytesPerLayer(t, 1, s, e, autocast, modules)
                    + (double) e * s * t.hidden();
        }
        // gradient checkpointing keeps each block's input and recomputes one block at a time in backward
        double checkpointed = t.layers() * (double) e * s * t.hidden() + perLayer + outer;
        double inference = TransformerMath.inferenceWorkingBytes(t, 1, s, e, flash);
        double largest = TransformerMath.largestTensorBytes(t, 1, s, e, flash, autocast);
        double input;
        double output;
        double loss = 0;
        double kv = 0;
        if (vision) {
            input = 4.0 * 3 * r.resolutionPx() * r.resolutionPx();
            output = (double) e * t.numClasses();
        } else {
            input = 8.0 * s * (train ? 2 : 1); // int64 token ids (and labels when training)
            if (t.kind() == TransformerSpec.Kind.DECODER) {
                if (train) {
                    output = (double) e * s * t.vocab(); // logits for every position
                    // the log-softmax output and its gradient, fp32 unless the loss runs on 16-bit logits
                    // (CrossEntropy.inFp32)
                    loss = e == 4
                            ? 4.0 * s * t.vocab()
                            : (Estimator.LOSS_FP32_COPIES * (fp32Loss ? 4.0 : e)
                                            + CrossEntropy.shiftedCopyBytes(r.model(), fp32Loss, e))
                                    * s
                                    * t.vocab();
                } else {
                    output = PrefillLogits.bytesPerSample(t, s, e, framework);
                    // keys and values of every layer; twice where generation grows the cache by concatenation
                    kv = LegacyKvCache.copies(r.model(), framework)
                            * 2.0
                            * t.layers()
                            * t.kvHeads()
                            * t.headDim()
                            * e
                            * s;
                }
            } else {
                output = (double) e * 2; // a classification head
            }
        }
        double factored = TransformerMath.factoredElements(t);
        // lora/qlora: adapters on every linear layer of every block, per unit of rank; LitGPT's adapters: their count
        long adapters = LitgptAdapters.applies(ft)
                ? LitgptAdapters.trainableParams(t, ft)
                : TransformerMath.adapterParamsPerBlock(t, 1) * t.layers();
        double largestMatrix =
                2.0 * Math.max((double) t.hidden() * t.intermediate(), (double) t.hidden() * t.heads() * t.headDim());
        return new Shape(
                params,
                matrix,
                factored,
                saved,
                checkpointed,
                inference,
                largest,
                input,
                output,
                loss,
                0,
                kv,
                adapters,
                largestMatrix);
    }
}
