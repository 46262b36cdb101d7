package dev.vramplan.report;

import dev.vramplan.answer.PlanAnswers;
import dev.vramplan.answer.RunAnswers;
import dev.vramplan.input.Sizes;
import dev.vramplan.plan.Decision;
import dev.vramplan.store.PlanStore;
import dev.vramplan.store.RunDiff;
import dev.vramplan.store.StoredCell;
import dev.vramplan.store.StoredRun;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a report shows of one stored run: the run and its provenance, its cells (the first {@link #MAX_CELLS}: a
 * page of a million cells helps nobody), and what changed since the run before it, as {@code diff} says.
 *
 * @param previous the complete run before this one, or null
 * @param changes  the cells whose recommendation changed since {@code previous}; null when there is no previous run
 *                 or either run is too large to compare here ({@link #why})
 * @param why      why there are no changes to show, or null
 */
public record RunReport(
        StoredRun run,
        List<StoredCell> cells,
        boolean truncated,
        StoredRun previous,
        List<RunDiff.Change> changes,
        String why,
        String generatedBy) {
    /** The most cells a report shows, and the largest runs it compares. */
    public static final int MAX_CELLS = 5_000;

    public RunReport {
        Objects.requireNonNull(run, "run");
        cells = List.copyOf(cells);
        changes = changes == null ? null : List.copyOf(changes);
    }

    /** Reads run {@code runId} (default: the latest) and the run before it from the store. */
    public static RunReport of(PlanStore store, Long runId, String version) {
        long id = PlanAnswers.runId(store, runId);
        StoredRun run = store.run(id).orElseThrow();
        List<StoredCell> cells = store.cells(id, null, null, null, true, MAX_CELLS + 1);
        boolean truncated = cells.size() > MAX_CELLS;
        if (truncated) {
            cells = cells.subList(0, MAX_CELLS);
        }
        StoredRun previous =
                store.runs().stream().filter(r -> r.id() < id).findFirst().orElse(null);
        List<RunDiff.Change> changes = null;
        String why = null;
        if (previous == null) {
            why = "run " + id + " is the first run stored";
        } else if (run.cells() > MAX_CELLS || previous.cells() > MAX_CELLS) {
            why = "runs of more than " + String.format(Locale.ROOT, "%,d", MAX_CELLS) + " cells are compared by"
                    + " 'vramplan diff " + previous.id() + " " + id + "'";
        } else {
            changes = RunAnswers.diff(store, previous.id(), id, "RUN_A", "RUN_B");
        }
        return new RunReport(run, cells, truncated, previous, changes, why, version);
    }

    private static final Pattern BUDGET = Pattern.compile("\\(([a-z ]*)budget (\\d+(?:\\.\\d+)? [KMGTP]?i?B)\\)");

    /**
     * The memory a rule allowed this cell, as the memory rule that rejected a larger candidate stated it in the
     * trail ("... (budget 13.28 GiB)"): the smallest such budget, with its rule; null when no memory rule spoke.
     */
    public static Budget budget(StoredCell c) {
        Budget best = null;
        for (Decision d : c.trail()) {
            if (d.reason() == null) {
                continue;
            }
            Matcher m = BUDGET.matcher(d.reason());
            while (m.find()) {
                long bytes;
                try {
                    bytes = Sizes.parse(m.group(2));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (best == null || bytes < best.bytes()) {
                    best = new Budget(bytes, d.rule());
                }
            }
        }
        return best;
    }

    /** The memory a rule lets a cell use, and the rule. */
    public record Budget(long bytes, String rule) {
        public Budget {
            if (bytes <= 0) {
                throw new IllegalArgumentException("a budget is more than zero bytes: " + bytes);
            }
        }
    }
}
