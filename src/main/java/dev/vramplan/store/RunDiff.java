package dev.vramplan.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** What changed between two stored runs, cell by cell, and which catalog entry or rule change caused it. */
public final class RunDiff {
    private RunDiff() {}

    /** One card × workload whose recommendation changed. */
    public record Change(String gpu, String workload, String mode, String before, String after, List<String> causes) {}

    public static String summary(StoredCell c) {
        if (c == null) {
            return "not planned";
        }
        if (!c.feasible()) {
            return "infeasible (" + c.rule() + ")";
        }
        return c.precision() + ", "
                + (c.resolutionPx() != null ? c.resolutionPx() + " px" : c.seqLenTokens() + " tokens") + ", batch "
                + c.batch() + (c.gradAccumSteps() != null && c.gradAccumSteps() > 1 ? " x" + c.gradAccumSteps() : "");
    }

    public static List<Change> diff(StoredRun ra, List<StoredCell> a, StoredRun rb, List<StoredCell> b) {
        Map<String, StoredCell> before = index(a);
        Map<String, StoredCell> after = index(b);
        Set<String> keys = new LinkedHashSet<>(before.keySet());
        keys.addAll(after.keySet());
        List<Change> out = new ArrayList<>();
        for (String k : keys) {
            StoredCell x = before.get(k);
            StoredCell y = after.get(k);
            String sx = summary(x);
            String sy = summary(y);
            if (sx.equals(sy)) {
                continue;
            }
            StoredCell any = y != null ? y : x;
            out.add(new Change(any.gpuId(), any.workloadId(), any.mode(), sx, sy, causes(ra, x, rb, y)));
        }
        return out;
    }

    private static Map<String, StoredCell> index(List<StoredCell> cells) {
        Map<String, StoredCell> m = new LinkedHashMap<>();
        for (StoredCell c : cells) {
            m.put(c.gpuId() + "/" + c.workloadId(), c);
        }
        return m;
    }

    static List<String> causes(StoredRun ra, StoredCell x, StoredRun rb, StoredCell y) {
        List<String> causes = new ArrayList<>();
        if (x == null || y == null) {
            causes.add(
                    x == null ? "the card or workload was added to the fleet" : "the card or workload left the fleet");
            return causes;
        }
        if (!Objects.equals(x.gpuSha(), y.gpuSha())) {
            causes.add("catalog: gpu " + y.gpuId() + " changed");
        }
        if (!Objects.equals(x.modelSha(), y.modelSha())) {
            causes.add("catalog: model " + y.modelId() + " changed (or its calibration)");
        }
        if (!Objects.equals(x.workloadSha(), y.workloadSha())) {
            causes.add("catalog: workload " + y.workloadId() + " changed");
        }
        if (!Objects.equals(ra.rulesSha(), rb.rulesSha())) {
            Set<String> now = rules(y);
            Set<String> was = rules(x);
            Set<String> added = new LinkedHashSet<>(now);
            added.removeAll(was);
            Set<String> gone = new LinkedHashSet<>(was);
            gone.removeAll(now);
            StringBuilder b = new StringBuilder("rules changed: decided by \"" + y.rule() + "\"");
            if (!y.rule().equals(x.rule())) {
                b.append(" (before: \"").append(x.rule()).append("\")");
            }
            if (!added.isEmpty()) {
                b.append("; now deciding: ").append(String.join(", ", added));
            }
            if (!gone.isEmpty()) {
                b.append("; no longer deciding: ").append(String.join(", ", gone));
            }
            causes.add(b.toString());
        }
        if (!Objects.equals(ra.toolVersion(), rb.toolVersion())) {
            causes.add(
                    "vramplan " + ra.toolVersion() + " -> " + rb.toolVersion() + " (the estimator may have changed)");
        }
        if (causes.isEmpty()) {
            causes.add("no input changed that the runs recorded (runs made before fingerprints were stored?)");
        }
        return causes;
    }

    private static Set<String> rules(StoredCell c) {
        Set<String> s = new LinkedHashSet<>();
        c.trail().forEach(d -> s.add(d.rule()));
        return s;
    }
}
