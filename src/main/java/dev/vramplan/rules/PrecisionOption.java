package dev.vramplan.rules;

import dev.vramplan.catalog.Precision;

/**
 * A precision the planner would try for a card and a job; a rule that refuses it inserts a {@link Rejection}.
 *
 * @param rank         0 for the highest precision (fp32), larger for lower ones
 * @param adapterDtype a lora/qlora training job: the dtype its adapters, their gradients and optimizer states train in
 *                     with this precision as the frozen base's ("fp32" beside an fp16 base: PEFT's default); "" for a
 *                     job without adapters
 */
public record PrecisionOption(
        String cell,
        String gpu,
        String job,
        String precision,
        int rank,
        boolean quantized,
        boolean bf16,
        boolean fp16,
        boolean fp8,
        boolean integer,
        String adapterDtype) {
    /** The option of precision {@code p} for a cell, with the flags the rules read from it. */
    public static PrecisionOption of(String cell, String gpu, String job, Precision p, String adapterDtype) {
        return new PrecisionOption(
                cell,
                gpu,
                job,
                p.id(),
                p.rank(),
                p.quantized(),
                p.usesBf16(),
                p.usesFp16(),
                p == Precision.FP8,
                p == Precision.INT8 || p == Precision.INT4,
                adapterDtype);
    }

    public String getAdapterDtype() {
        return adapterDtype;
    }

    public String getCell() {
        return cell;
    }

    public String getGpu() {
        return gpu;
    }

    public String getJob() {
        return job;
    }

    public String getPrecision() {
        return precision;
    }

    public int getRank() {
        return rank;
    }

    public boolean isQuantized() {
        return quantized;
    }

    public boolean isBf16() {
        return bf16;
    }

    public boolean isFp16() {
        return fp16;
    }

    public boolean isFp8() {
        return fp8;
    }

    public boolean isInteger() {
        return integer;
    }
}
