package dev.vramplan.catalog;

import dev.vramplan.input.Named;

/**
 * How a job stores and computes numbers (docs/measurement-format.md). The order is the planner's
 * preference: the first is the highest precision; the policy drops down this list when a
 * higher one does not fit or is not allowed.
 */
public enum Precision implements Named {
    /** 32-bit weights, gradients, optimizer states and activations. */
    FP32("fp32", 4, 4, 4, false),
    /** Automatic mixed precision: fp32 weights, gradients and optimizer states; bf16 activations. */
    AMP_BF16("amp-bf16", 4, 4, 2, false),
    /** Automatic mixed precision with fp16 activations. */
    AMP_FP16("amp-fp16", 4, 4, 2, false),
    /** Pure bf16 ("bf16-true"): weights, gradients, optimizer states all 16-bit. */
    BF16("bf16", 2, 2, 2, false),
    /** Pure fp16. */
    FP16("fp16", 2, 2, 2, false),
    /** 8-bit floating-point weights, 16-bit activations. */
    FP8("fp8", 1, 2, 2, true),
    /** 8-bit integer weights (LLM.int8, GPTQ-int8) with 16-bit compute. */
    INT8("int8", 1, 2, 2, true),
    /** 4-bit weights (NF4, GPTQ, AWQ) with 16-bit compute; scales are added by the estimator. */
    INT4("int4", 0.5, 2, 2, true);

    private final String id;
    private final double weightBytes;
    private final double stateBytes;
    private final int activationBytes;
    private final boolean quantized;

    Precision(String id, double weightBytes, double stateBytes, int activationBytes, boolean quantized) {
        this.id = id;
        this.weightBytes = weightBytes;
        this.stateBytes = stateBytes;
        this.activationBytes = activationBytes;
        this.quantized = quantized;
    }

    public String id() {
        return id;
    }

    /** Bytes per stored weight of a quantizable (linear/conv) layer, before scales. */
    public double weightBytes() {
        return weightBytes;
    }

    /** Bytes per element of gradients and of each optimizer state (for trainable parameters). */
    public double stateBytes() {
        return stateBytes;
    }

    /** Bytes per activation element. */
    public int activationBytes() {
        return activationBytes;
    }

    /** fp8, int8, int4: weights stored below 16 bits. */
    public boolean quantized() {
        return quantized;
    }

    /** Autocast keeps 16-bit copies of the fp32 weights it casts for matmuls and convolutions. */
    public boolean autocast() {
        return this == AMP_BF16 || this == AMP_FP16;
    }

    /** Whether the precision computes in bf16 (needs compute capability 8.0). */
    public boolean usesBf16() {
        return this == AMP_BF16 || this == BF16;
    }

    /** Whether it computes in fp16. */
    public boolean usesFp16() {
        return this == AMP_FP16 || this == FP16;
    }

    /** 0 for the highest precision, larger for lower ones: what rules compare. */
    public int rank() {
        return ordinal();
    }

    public static Precision of(String id) {
        return Named.byId(Precision.class, id);
    }
}
