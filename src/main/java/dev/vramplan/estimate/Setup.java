package dev.vramplan.estimate;

import dev.vramplan.catalog.Calibration;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Quantization;
import java.util.EnumSet;
import java.util.Set;

/**
 * How a job runs, beyond model, card, precision and sizes.
 *
 * @param finetune              full, lora or qlora (training)
 * @param trainableParams       parameters that receive gradients when known (adapters); null: derived
 * @param loraRank              adapter rank when the trainable count is not given: adapters on every linear layer
 *                              of every block, rank 64 by default (the QLoRA paper's setting)
 * @param gradientCheckpointing keep only each block's input and recompute the rest in backward
 * @param flashAttention        a fused attention kernel that keeps no s×s scores
 * @param ema                   an exponential-moving-average copy of the weights (Ultralytics keeps one)
 * @param quantization          storage of 8/4-bit weights; null: the precision's default
 * @param activationFactor      a measured correction of activation and input/output memory (1: none; see Calibration)
 * @param adapterDtype          lora/qlora: the dtype of the trainable adapters, their gradients and optimizer states
 *                              when it differs from the frozen base's (measurement format 2's {@code adapter_dtype}:
 *                              PEFT keeps adapters in fp32 beside a 16-bit base); null: the precision's own
 * @param framework             the training or serving code (format 2's {@code framework}); null: the model family's
 *                              usual one ({@link Framework#defaultFor})
 * @param maxObjects            detectors: the most labelled boxes in one image of the batch; null: a typical count
 */
public record Setup(
        Finetune finetune,
        Long trainableParams,
        Integer loraRank,
        boolean gradientCheckpointing,
        boolean flashAttention,
        boolean ema,
        Quantization quantization,
        double activationFactor,
        Precision adapterDtype,
        Framework framework,
        Integer maxObjects) {
    public static final int DEFAULT_LORA_RANK = 64;

    public Setup {
        if (finetune == null) {
            finetune = Finetune.FULL;
        }
        if (trainableParams != null && (trainableParams < 0 || trainableParams > Limits.MAX_PARAMS)) {
            throw new IllegalArgumentException("trainable_params must be between 0 and " + Limits.MAX_PARAMS);
        }
        if (!(activationFactor > 0) || activationFactor > 100) {
            throw new IllegalArgumentException("the activation factor must be above 0 and at most 100");
        }
        if (loraRank != null && (loraRank < 1 || loraRank > Limits.MAX_LORA_RANK)) {
            throw new IllegalArgumentException("lora_rank must be between 1 and " + Limits.MAX_LORA_RANK);
        }
        if (adapterDtype != null && !ADAPTER_DTYPES.contains(adapterDtype)) {
            throw new IllegalArgumentException("adapter dtype must be fp32, bf16 or fp16, not " + adapterDtype.id());
        }
        if (maxObjects != null && (maxObjects < 0 || maxObjects > Limits.MAX_OBJECTS)) {
            throw new IllegalArgumentException("max_objects must be between 0 and " + Limits.MAX_OBJECTS);
        }
    }

    public Setup(
            Finetune finetune,
            Long trainableParams,
            Integer loraRank,
            boolean gradientCheckpointing,
            boolean flashAttention,
            boolean ema,
            Quantization quantization,
            double activationFactor,
            Precision adapterDtype) {
        this(
                finetune,
                trainableParams,
                loraRank,
                gradientCheckpointing,
                flashAttention,
                ema,
                quantization,
                activationFactor,
                adapterDtype,
                null,
                null);
    }

    /**
     * The adapters' dtype when nothing says otherwise, or null for the precision's own: a LoRA job on an fp16 frozen base
     * keeps its adapters, their gradients and optimizer states in fp32 and computes under autocast with loss scaling.
     * That is PEFT's default ({@code get_peft_model(..., autocast_adapter_dtype=True)}: BaseTuner._cast_adapter_dtype in
     * huggingface/peft src/peft/tuners/tuners_utils.py upcasts fp16 and bf16 adapter weights to fp32, "as this is
     * typically required for stable training") and its usual setup on cards without bf16 (T4, V100). A bf16 base keeps
     * bf16 adapters here, as LitGPT's bf16-true does, which the published measurements use.
     */
    public static Precision defaultAdapterDtype(Mode mode, Finetune finetune, Precision p) {
        return mode == Mode.TRAIN && finetune == Finetune.LORA && p == Precision.FP16 ? Precision.FP32 : null;
    }

    /** The dtypes adapters may train in. */
    public static final Set<Precision> ADAPTER_DTYPES = EnumSet.of(Precision.FP32, Precision.BF16, Precision.FP16);

    public Setup(
            Finetune finetune,
            Long trainableParams,
            Integer loraRank,
            boolean gradientCheckpointing,
            boolean flashAttention,
            boolean ema,
            Quantization quantization,
            double activationFactor) {
        this(
                finetune,
                trainableParams,
                loraRank,
                gradientCheckpointing,
                flashAttention,
                ema,
                quantization,
                activationFactor,
                null);
    }

    public Setup(
            Finetune finetune,
            Long trainableParams,
            Integer loraRank,
            boolean gradientCheckpointing,
            boolean flashAttention,
            boolean ema,
            Quantization quantization) {
        this(finetune, trainableParams, loraRank, gradientCheckpointing, flashAttention, ema, quantization, 1.0);
    }

    /** Full training or plain inference with the usual fused attention. */
    public static Setup defaults() {
        return new Setup(Finetune.FULL, null, null, false, true, false, null);
    }

    public Setup withFlash(boolean flash) {
        return new Setup(
                finetune,
                trainableParams,
                loraRank,
                gradientCheckpointing,
                flash,
                ema,
                quantization,
                activationFactor,
                adapterDtype,
                framework,
                maxObjects);
    }

    /** The same setup with a measured correction (null: none). */
    public Setup calibrated(Calibration c) {
        return withActivationFactor(c == null ? 1.0 : c.activationFactor());
    }

    /** The same setup with activation and input/output memory scaled by {@code factor}. */
    public Setup withActivationFactor(double factor) {
        return new Setup(
                finetune,
                trainableParams,
                loraRank,
                gradientCheckpointing,
                flashAttention,
                ema,
                quantization,
                factor,
                adapterDtype,
                framework,
                maxObjects);
    }

    /** The same setup run by {@code f} (null: the family's usual framework). */
    public Setup withFramework(Framework f) {
        return new Setup(
                finetune,
                trainableParams,
                loraRank,
                gradientCheckpointing,
                flashAttention,
                ema,
                quantization,
                activationFactor,
                adapterDtype,
                f,
                maxObjects);
    }

    /** The same setup with at most {@code objects} labelled boxes per image (null: the typical default). */
    public Setup withMaxObjects(Integer objects) {
        return new Setup(
                finetune,
                trainableParams,
                loraRank,
                gradientCheckpointing,
                flashAttention,
                ema,
                quantization,
                activationFactor,
                adapterDtype,
                framework,
                objects);
    }

    /** The same setup with the adapters (and their gradients and optimizer states) in {@code dtype} (null: the precision's). */
    public Setup withAdapterDtype(Precision dtype) {
        return new Setup(
                finetune,
                trainableParams,
                loraRank,
                gradientCheckpointing,
                flashAttention,
                ema,
                quantization,
                activationFactor,
                dtype,
                framework,
                maxObjects);
    }
}
