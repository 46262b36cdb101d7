package dev.vramplan.catalog;

import dev.vramplan.input.Named;

/**
 * How 8- and 4-bit weights are stored, with the bytes each weight costs including its scales.
 * Non-quantized parameters (embeddings, norms, the LM head) stay in the compute dtype.
 */
public enum Quantization implements Named {
    /** bitsandbytes NF4: 4 bits plus one fp32 absmax per 64 weights (QLoRA paper, Dettmers et al. 2023). */
    NF4("nf4", 0.5 + 4.0 / 64, 2),
    /** NF4 with double quantization: 8-bit absmax per 64 weights plus an fp32 scale per 256 of those (QLoRA §3). */
    NF4_DQ("nf4-dq", 0.5 + 1.0 / 64 + 4.0 / (64 * 256), 2),
    /** bitsandbytes FP4: as NF4 in size; its default compute dtype was fp32 (bitsandbytes ≤ 0.41). */
    FP4("fp4", 0.5 + 4.0 / 64, 4),
    /** GPTQ 4-bit, groups of 128: an fp16 scale and a packed 4-bit zero point per group (Frantar et al. 2022). */
    GPTQ("gptq", 0.5 + (2 + 0.5) / 128, 2),
    /** LLM.int8: int8 weights with one fp32 scale per output row (Dettmers et al. 2022); rows are ≥ 2048 wide here. */
    LLM_INT8("llm.int8", 1 + 4.0 / 2048, 2),
    /** fp8 weights (E4M3) with a per-tensor scale. */
    FP8("fp8", 1, 2);

    private final String id;
    private final double bytesPerWeight;
    private final int computeBytes;

    Quantization(String id, double bytesPerWeight, int computeBytes) {
        this.id = id;
        this.bytesPerWeight = bytesPerWeight;
        this.computeBytes = computeBytes;
    }

    public String id() {
        return id;
    }

    public double bytesPerWeight() {
        return bytesPerWeight;
    }

    /**
     * Bytes per weight at this precision's width. GPTQ exists at 4 and 8 bits (AutoGPTQ QuantLinear packs
     * {@code 32 // bits} weights and zero points per int32, with an fp16 scale per group of 128): at int8 a weight
     * is 1 byte plus (2 + 1) / 128 for its group's scale and zero point. The others have one width.
     */
    public double bytesPerWeight(Precision p) {
        return this == GPTQ && p == Precision.INT8 ? 1 + (2 + 1) / 128.0 : bytesPerWeight;
    }

    /**
     * Bytes per weight of the largest matrix while a layer dequantizes it for a prompt's matmul. Most kernels write
     * one 16-bit copy (bitsandbytes' dequantize_4bit, exllama's temp_dq). 8-bit GPTQ has no exllama kernel: AutoGPTQ's
     * qlinear_cuda_old.py (v0.7) unpacks with {@code torch.bitwise_right_shift(...)} into int32 (4 bytes per weight)
     * and {@code .to(torch.int16)} (2), then {@code scales * (weight - zeros)}: int16 weight, int16 difference and the
     * fp16 product (2 each): 6 bytes per weight at either step.
     */
    public double dequantBytesPerWeight(Precision p) {
        return this == GPTQ && p == Precision.INT8 ? 6 : computeBytes;
    }

    /** Bytes per element of activations and of the parameters that stay unquantized. */
    public int computeBytes() {
        return computeBytes;
    }

    /** The scheme a bare precision means: int4 → NF4, int8 → LLM.int8, fp8 → fp8; null for 16/32-bit. */
    public static Quantization defaultFor(Precision p) {
        return switch (p) {
            case INT4 -> NF4;
            case INT8 -> LLM_INT8;
            case FP8 -> FP8;
            default -> null;
        };
    }

    public static Quantization of(String id) {
        return Named.byId(Quantization.class, id);
    }
}
