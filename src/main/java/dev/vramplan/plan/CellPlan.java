package dev.vramplan.plan;

import dev.vramplan.catalog.Band;
import dev.vramplan.catalog.Mode;
import dev.vramplan.estimate.Estimate;

import java.util.List;

/**
 * The plan for one card type × workload: the recommended precision, input size and batch with its
 * estimate, or why nothing fits; and the decision trail.
 *
 * @param gradAccumSteps micro-batches per optimizer step that keep the workload's global batch (training)
 * @param band           the band around the estimate (catalog/bands.yaml); null when nothing fits
 */
public record CellPlan(String gpuId, String workloadId, String modelId, Mode mode, boolean feasible, String precision,
                       Integer resolutionPx, Integer seqLenTokens, Integer batch, Integer gradAccumSteps,
                       Estimate estimate, long usableBytes, String rule, String reason, List<Decision> trail, Band band) {
    public CellPlan {
        trail = List.copyOf(trail);
    }

    /** A plan without a band. */
    public CellPlan(String gpuId, String workloadId, String modelId, Mode mode, boolean feasible, String precision,
                    Integer resolutionPx, Integer seqLenTokens, Integer batch, Integer gradAccumSteps,
                    Estimate estimate, long usableBytes, String rule, String reason, List<Decision> trail) {
        this(gpuId, workloadId, modelId, mode, feasible, precision, resolutionPx, seqLenTokens, batch, gradAccumSteps, estimate,
                usableBytes, rule, reason, trail, null);
    }

    /** The top of the band over the device memory; null without an estimate or a band. */
    public Long deviceBytesHigh() {
        return estimate == null || band == null ? null : band.high(estimate.deviceBytes());
    }

    public Double utilization() {
        return estimate == null ? null : estimate.utilization();
    }

    /** What was decided, without the trail and the estimate: two plans of a cell agree when their outcomes are equal. */
    public record Outcome(boolean feasible, String precision, Integer resolutionPx, Integer seqLenTokens, Integer batch,
                          Integer gradAccumSteps, String rule) {
    }

    public Outcome outcome() {
        return new Outcome(feasible, precision, resolutionPx, seqLenTokens, batch, gradAccumSteps, rule);
    }
}
