package dev.vramplan.estimate;

import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Quantization;

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
 */
public record Setup(Finetune finetune, Long trainableParams, Integer loraRank, boolean gradientCheckpointing,
                    boolean flashAttention, boolean ema, Quantization quantization, double activationFactor) {
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
    }

    public Setup(Finetune finetune, Long trainableParams, Integer loraRank, boolean gradientCheckpointing,
                 boolean flashAttention, boolean ema, Quantization quantization) {
        this(finetune, trainableParams, loraRank, gradientCheckpointing, flashAttention, ema, quantization, 1.0);
    }

    /** Full training or plain inference with the usual fused attention. */
    public static Setup defaults() {
        return new Setup(Finetune.FULL, null, null, false, true, false, null);
    }

    public Setup withFlash(boolean flash) {
        return new Setup(finetune, trainableParams, loraRank, gradientCheckpointing, flash, ema, quantization, activationFactor);
    }

    /** The same setup with a measured correction (null: none). */
    public Setup calibrated(dev.vramplan.catalog.Calibration c) {
        return new Setup(finetune, trainableParams, loraRank, gradientCheckpointing, flashAttention, ema, quantization,
                c == null ? 1.0 : c.activationFactor());
    }
}
