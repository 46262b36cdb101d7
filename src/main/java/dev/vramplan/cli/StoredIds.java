package dev.vramplan.cli;

import dev.vramplan.input.InvalidInputException;
import dev.vramplan.input.Suggest;
import dev.vramplan.store.PlanStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Ids a query names that its run does not hold: a typo ({@code yolov8ss}, {@code T4}) is invalid input with a
 * suggestion, not "nothing feasible". Asked only when a query matched nothing, so a query that matches pays nothing.
 */
final class StoredIds {
    private StoredIds() {
    }

    /** Throws one line per unknown id (exit 2); returns when every id given is in the run. */
    static void check(PlanStore store, long run, String model, String gpu) {
        List<String> problems = new ArrayList<>();
        unknown(problems, "--model", "model", model, store, run, PlanStore.IdColumn.MODEL);
        unknown(problems, "--gpu", "gpu", gpu, store, run, PlanStore.IdColumn.GPU);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
    }

    private static void unknown(List<String> problems, String option, String what, String id, PlanStore store, long run,
                                PlanStore.IdColumn column) {
        if (id == null) {
            return;
        }
        Set<String> known = store.ids(run, column);
        if (!known.contains(id)) {
            problems.add(option + ": no " + what + " \"" + id + "\" in run " + run + "." + Suggest.didYouMean(id, known));
        }
    }
}
