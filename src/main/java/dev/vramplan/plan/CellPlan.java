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
 * @param gpus           cards of the type the plan uses (the estimate is per GPU); null when infeasible
 * @param strategy       single, ddp, zero1, zero2, zero3 or tp; null when infeasible
 * @param offload        none, optimizer or optimizer+params; null when infeasible
 * @param maxConcurrentSequences a vLLM workload: the sequences of its length the KV-cache pool holds (then also the
 *                       batch); null otherwise
 * @param band           the band around the estimate (catalog/bands.yaml); null when nothing fits
 * @param deviceBytesHigh the top of that band over the device memory, as the rules judged it; null when nothing fits
 */
public record CellPlan(
        String gpuId,
        String workloadId,
        String modelId,
        Mode mode,
        boolean feasible,
        String precision,
        Integer resolutionPx,
        Integer seqLenTokens,
        Integer batch,
        Integer gradAccumSteps,
        Estimate estimate,
        long usableBytes,
        String rule,
        String reason,
        List<Decision> trail,
        Integer gpus,
        String strategy,
        String offload,
        Integer maxConcurrentSequences,
        Band band,
        Long deviceBytesHigh) {
    public CellPlan {
        trail = List.copyOf(trail);
    }

    /** The plan of a cell where nothing fits: the rule that decided and why. */
    public static CellPlan infeasible(
            String gpuId,
            String workloadId,
            String modelId,
            Mode mode,
            long usableBytes,
            String rule,
            String reason,
            List<Decision> trail) {
        return new CellPlan(
                gpuId,
                workloadId,
                modelId,
                mode,
                false,
                null,
                null,
                null,
                null,
                null,
                null,
                usableBytes,
                rule,
                reason,
                trail,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    public Double utilization() {
        return estimate == null ? null : estimate.utilization();
    }

    /** What was decided, without the trail and the estimate: two plans of a cell agree when their outcomes are equal. */
    public record Outcome(
            boolean feasible,
            String precision,
            Integer resolutionPx,
            Integer seqLenTokens,
            Integer batch,
            Integer gradAccumSteps,
            String rule,
            Integer gpus,
            String strategy,
            String offload) {}

    public Outcome outcome() {
        return new Outcome(
                feasible, precision, resolutionPx, seqLenTokens, batch, gradAccumSteps, rule, gpus, strategy, offload);
    }
}
