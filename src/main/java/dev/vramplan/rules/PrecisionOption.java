package dev.vramplan.rules;

/**
 * A precision the planner would try for a card and a job; a rule that refuses it inserts a {@link Rejection}.
 *
 * @param rank 0 for the highest precision (fp32), larger for lower ones
 */
public record PrecisionOption(String cell, String gpu, String job, String precision, int rank, boolean quantized,
                              boolean bf16, boolean fp16, boolean fp8, boolean integer) {
    public String getCell() { return cell; }
    public String getGpu() { return gpu; }
    public String getJob() { return job; }
    public String getPrecision() { return precision; }
    public int getRank() { return rank; }
    public boolean isQuantized() { return quantized; }
    public boolean isBf16() { return bf16; }
    public boolean isFp16() { return fp16; }
    public boolean isFp8() { return fp8; }
    public boolean isInteger() { return integer; }
}
