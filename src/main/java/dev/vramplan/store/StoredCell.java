package dev.vramplan.store;

import dev.vramplan.plan.Decision;
import java.util.List;
import java.util.Map;

/**
 * A plan cell as stored: what `query` and `explain` read back.
 *
 * @param gpus     cards of the type the plan uses (memory is per GPU); null when infeasible
 * @param strategy single, ddp, zero1, zero2, zero3 or tp; null when infeasible
 * @param offload  none, optimizer or optimizer+params; null when infeasible
 * @param maxConcurrentSequences a vLLM workload's concurrency; null otherwise
 * @param deviceBytesHigh the top of the estimate's band (schema version 4); null for cells stored before it, for
 *                        infeasible cells, and with the band's other fields
 */
public record StoredCell(
        long runId,
        String gpuId,
        String workloadId,
        String modelId,
        String mode,
        boolean feasible,
        String precision,
        Integer resolutionPx,
        Integer seqLenTokens,
        Integer batch,
        Integer gradAccumSteps,
        Long peakAllocatedBytes,
        Long reservedBytes,
        Long deviceBytes,
        long usableBytes,
        Double utilization,
        Map<String, Long> breakdown,
        String rule,
        String reason,
        List<Decision> trail,
        String gpuSha,
        String modelSha,
        String workloadSha,
        Integer gpus,
        String strategy,
        String offload,
        Integer maxConcurrentSequences,
        Long deviceBytesHigh,
        Double bandConfidence,
        String bandGroup,
        Integer bandPoints) {
    /** A cell on one card (or none), as stored before several cards and bands. */
    public StoredCell(
            long runId,
            String gpuId,
            String workloadId,
            String modelId,
            String mode,
            boolean feasible,
            String precision,
            Integer resolutionPx,
            Integer seqLenTokens,
            Integer batch,
            Integer gradAccumSteps,
            Long peakAllocatedBytes,
            Long reservedBytes,
            Long deviceBytes,
            long usableBytes,
            Double utilization,
            Map<String, Long> breakdown,
            String rule,
            String reason,
            List<Decision> trail,
            String gpuSha,
            String modelSha,
            String workloadSha) {
        this(
                runId,
                gpuId,
                workloadId,
                modelId,
                mode,
                feasible,
                precision,
                resolutionPx,
                seqLenTokens,
                batch,
                gradAccumSteps,
                peakAllocatedBytes,
                reservedBytes,
                deviceBytes,
                usableBytes,
                utilization,
                breakdown,
                rule,
                reason,
                trail,
                gpuSha,
                modelSha,
                workloadSha,
                feasible ? 1 : null,
                feasible ? "single" : null,
                feasible ? "none" : null,
                null,
                null,
                null,
                null,
                null);
    }
}
