package dev.vramplan.store;

import java.time.OffsetDateTime;

/** A stored planning run: when, by whom, from which inputs, and how it came out. */
public record StoredRun(
        long id,
        OffsetDateTime startedAt,
        String user,
        String host,
        String catalogDir,
        String rulesDir,
        String catalogSha,
        String rulesSha,
        String toolVersion,
        int cells,
        int feasible) {
    public int infeasible() {
        return cells - feasible;
    }
}
