package dev.vramplan.estimate;

import dev.vramplan.catalog.Band;
import dev.vramplan.catalog.BandGroups;
import dev.vramplan.catalog.Bands;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Optimizer;
import java.util.List;

/**
 * An estimate with its band: the same totals raised by the margin of the job's group, so that with the band's
 * confidence the job needs no more than the {@code *High} figures (catalog/bands.yaml, docs/accuracy.md).
 */
public record BandedEstimate(Estimate estimate, Band band) {
    public long peakAllocatedBytesHigh() {
        return band.high(estimate.peakAllocatedBytes());
    }

    public long reservedBytesHigh() {
        return band.high(estimate.reservedBytes());
    }

    public long deviceBytesHigh() {
        return band.high(estimate.deviceBytes());
    }

    /** The estimate of {@code r} with the band of its group in {@code bands}. */
    public static BandedEstimate of(Estimate e, EstimateRequest r, Bands bands) {
        return new BandedEstimate(e, bands.band(chain(r), null));
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
