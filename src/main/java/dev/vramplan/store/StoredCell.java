package dev.vramplan.store;

import dev.vramplan.plan.Decision;

import java.util.List;
import java.util.Map;

/**
 * A plan cell as stored: what `query` and `explain` read back.
 *
 * @param deviceBytesHigh the top of the estimate's band (schema version 4); null for cells stored before it, for
 *                        infeasible cells, and with the band's other fields
 */
public record StoredCell(long runId, String gpuId, String workloadId, String modelId, String mode, boolean feasible,
                         String precision, Integer resolutionPx, Integer seqLenTokens, Integer batch,
                         Integer gradAccumSteps, Long peakAllocatedBytes, Long reservedBytes, Long deviceBytes,
                         long usableBytes, Double utilization, Map<String, Long> breakdown, String rule, String reason,
                         List<Decision> trail, String gpuSha, String modelSha, String workloadSha, Long deviceBytesHigh,
                         Double bandConfidence, String bandGroup, Integer bandPoints) {
}
