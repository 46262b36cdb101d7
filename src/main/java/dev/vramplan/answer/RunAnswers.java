package dev.vramplan.answer;

import dev.vramplan.store.PlanStore;
import dev.vramplan.store.RunDiff;
import dev.vramplan.store.StoredRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code runs} and {@code diff} answer, and the JSON they print: shared by the command line and the server. */
public final class RunAnswers {
    private RunAnswers() {}

    /** {@code runs --format json}: one object per run, newest first. */
    public static List<Map<String, Object>> runsJson(List<StoredRun> runs) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (StoredRun r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("run", r.id());
            m.put("started_at", r.startedAt().toString());
            m.put("user", r.user());
            m.put("host", r.host());
            m.put("catalog", r.catalogDir());
            m.put("catalog_sha", r.catalogSha());
            m.put("rules", r.rulesDir());
            m.put("rules_sha", r.rulesSha());
            m.put("tool_version", r.toolVersion());
            m.put("cells", r.cells());
            m.put("feasible", r.feasible());
            m.put("infeasible", r.infeasible());
            list.add(m);
        }
        return list;
    }

    /**
     * The cells whose recommendation changed from run {@code a} to run {@code b}. {@code labelA}, {@code labelB}:
     * how the caller names the two runs in a message ({@code RUN_A} on the command line); the fields are a and b.
     */
    public static List<RunDiff.Change> diff(PlanStore store, long a, long b, String labelA, String labelB) {
        StoredRun ra = store.run(a)
                .orElseThrow(() -> FieldError.unknown("a", labelA, "there is no run " + a + " in the database", null));
        StoredRun rb = store.run(b)
                .orElseThrow(() -> FieldError.unknown("b", labelB, "there is no run " + b + " in the database", null));
        return RunDiff.diff(ra, store.cells(a, null, null, null, true), rb, store.cells(b, null, null, null, true));
    }

    /** {@code diff --format json}: one object per changed cell. */
    public static List<Map<String, Object>> diffJson(List<RunDiff.Change> changes) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (RunDiff.Change c : changes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("gpu", c.gpu());
            m.put("workload", c.workload());
            m.put("mode", c.mode());
            m.put("before", c.before());
            m.put("after", c.after());
            m.put("causes", c.causes());
            list.add(m);
        }
        return list;
    }
}
