package dev.vramplan.store;

import java.util.Map;

/**
 * What a run was made from, stored with it.
 *
 * @param gpuSha      fingerprint of each card's catalog entry, by id (and likewise models and workloads)
 */
public record RunInfo(
        String catalogDir,
        String rulesDir,
        String toolVersion,
        String user,
        String host,
        String catalogSha,
        String rulesSha,
        Map<String, String> gpuSha,
        Map<String, String> modelSha,
        Map<String, String> workloadSha) {
    public RunInfo {
        gpuSha = Map.copyOf(gpuSha);
        modelSha = Map.copyOf(modelSha);
        workloadSha = Map.copyOf(workloadSha);
    }

    /** A run with nothing known but where it came from (tests, tools). */
    public static RunInfo of(String catalogDir, String rulesDir, String toolVersion) {
        return new RunInfo(catalogDir, rulesDir, toolVersion, null, null, null, null, Map.of(), Map.of(), Map.of());
    }
}
