package dev.vramplan.estimate;

import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Quantization;
import java.util.Objects;

/**
 * One configuration to estimate.
 *
 * @param resolutionPx   square input side for vision models (null for text)
 * @param seqLenTokens   tokens per sample for text models (null for vision)
 * @param setup          fine-tuning method, checkpointing, attention kernel, EMA, quantization
 * @param parallelism    how many cards of the type, and how the job spreads over them (the estimate is per GPU)
 *
 * <p>Sizes within {@link Limits} (the command line and the catalog check them first, naming the option or field).
 */
public record EstimateRequest(
        Model model,
        Gpu gpu,
        Mode mode,
        Precision precision,
        int batch,
        Integer resolutionPx,
        Integer seqLenTokens,
        Optimizer optimizer,
        Setup setup,
        Parallelism parallelism) {
    public static final int MAX_BATCH = Limits.MAX_BATCH;

    public EstimateRequest {
        Objects.requireNonNull(model);
        Objects.requireNonNull(gpu);
        Objects.requireNonNull(mode);
        Objects.requireNonNull(precision);
        Objects.requireNonNull(optimizer);
        Objects.requireNonNull(setup);
        Objects.requireNonNull(parallelism);
        if (batch < 1 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("batch " + batch + " must be between 1 and " + MAX_BATCH);
        }
        if (model.vision()) {
            if (resolutionPx == null || resolutionPx < Limits.MIN_RESOLUTION || resolutionPx > Limits.MAX_RESOLUTION) {
                throw new IllegalArgumentException("model " + model.id() + " takes images: give a resolution between "
                        + Limits.MIN_RESOLUTION + " and " + Limits.MAX_RESOLUTION + " px");
            }
        } else if (seqLenTokens == null || seqLenTokens < 1 || seqLenTokens > Limits.MAX_SEQ_LEN) {
            throw new IllegalArgumentException("model " + model.id()
                    + " takes text: give a sequence length between 1 and " + Limits.MAX_SEQ_LEN + " tokens");
        }
        if (mode == Mode.INFERENCE) {
            optimizer = Optimizer.NONE;
        }
    }

    /** One card. */
    public EstimateRequest(
            Model model,
            Gpu gpu,
            Mode mode,
            Precision precision,
            int batch,
            Integer resolutionPx,
            Integer seqLenTokens,
            Optimizer optimizer,
            Setup setup) {
        this(model, gpu, mode, precision, batch, resolutionPx, seqLenTokens, optimizer, setup, Parallelism.single());
    }

    /** Full training or plain inference, with or without a fused attention kernel. */
    public EstimateRequest(
            Model model,
            Gpu gpu,
            Mode mode,
            Precision precision,
            int batch,
            Integer resolutionPx,
            Integer seqLenTokens,
            Optimizer optimizer,
            boolean flashAttention) {
        this(
                model,
                gpu,
                mode,
                precision,
                batch,
                resolutionPx,
                seqLenTokens,
                optimizer,
                Setup.defaults().withFlash(flashAttention));
    }

    public boolean flashAttention() {
        return setup.flashAttention();
    }

    public EstimateRequest withBatch(int b) {
        return new EstimateRequest(
                model, gpu, mode, precision, b, resolutionPx, seqLenTokens, optimizer, setup, parallelism);
    }

    /** The same job on {@code p}'s cards. */
    public EstimateRequest withParallelism(Parallelism p) {
        return new EstimateRequest(model, gpu, mode, precision, batch, resolutionPx, seqLenTokens, optimizer, setup, p);
    }

    /** The same job at another sequence length (text models). */
    public EstimateRequest withSeqLen(int tokens) {
        return new EstimateRequest(
                model, gpu, mode, precision, batch, resolutionPx, tokens, optimizer, setup, parallelism);
    }

    /** The scheme of a quantized base: the one the setup names, else the precision's usual one; null for 16/32 bits. */
    public Quantization quantization() {
        if (!precision.quantized()) {
            return null;
        }
        return setup.quantization() != null ? setup.quantization() : Quantization.defaultFor(precision);
    }
}
