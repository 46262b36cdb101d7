package dev.vramplan.estimate;

import dev.vramplan.catalog.Band;
import dev.vramplan.catalog.BandGroups;
import dev.vramplan.catalog.Bands;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Optimizer;
import java.util.List;

/**
 * An estimate with its band: the same totals raised by the margin of the job's group, so that with the band's
 * confidence the job needs no more than the {@code *High} figures (catalog/bands.yaml, docs/accuracy.md); of a vLLM
 * pool, the rest raised and the pool shrunk to the budget ({@link VllmPool.Plan#high}).
 */
public record BandedEstimate(Estimate estimate, Band band, VllmPool.Plan pool) {
    /** The band of an estimate without a serving engine's pool. */
    public BandedEstimate(Estimate estimate, Band band) {
        this(estimate, band, null);
    }

    public long peakAllocatedBytesHigh() {
        return high(estimate.peakAllocatedBytes());
    }

    public long reservedBytesHigh() {
        return high(estimate.reservedBytes());
    }

    public long deviceBytesHigh() {
        return high(estimate.deviceBytes());
    }

    /** The band's top over {@code bytes}; a vLLM pool absorbs the error ({@link VllmPool.Plan#high}). */
    private long high(long bytes) {
        return pool == null ? band.high(bytes) : pool.high(band, bytes);
    }

    /** The estimate of {@code r} with the band of its group in {@code bands}. */
    public static BandedEstimate of(Estimate e, EstimateRequest r, Bands bands) {
        return of(e, null, r, bands);
    }

    /** As {@link #of(Estimate, EstimateRequest, Bands)}, of vLLM's pool {@code pool} when not null (its estimate). */
    public static BandedEstimate of(Estimate e, VllmPool.Plan pool, EstimateRequest r, Bands bands) {
        return new BandedEstimate(e, bands.band(chain(r), null), pool);
    }

    /** The group keys of a request, finest first ({@link BandGroups}). */
    public static List<String> chain(EstimateRequest r) {
        return BandGroups.chain(
                framework(r), r.mode(), r.setup().finetune(), r.model().vision(), r.optimizer() == Optimizer.NONE);
    }

    /** The code that runs the job: the request's, else the model family's usual one, else a plain PyTorch loop. */
    static String framework(EstimateRequest r) {
        Framework f = r.setup().framework() != null
                ? r.setup().framework()
                : Framework.defaultFor(r.model().architecture());
        return f == null ? "pytorch" : f.id();
    }
}
