package dev.vramplan.answer;

import dev.vramplan.input.Suggest;
import dev.vramplan.store.PlanStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Ids a query names that its run does not hold: a typo ({@code yolov8ss}, {@code T4}) is an unknown id with a
 * suggestion, not "nothing feasible". Asked only when a query matched nothing, so a query that matches pays nothing.
 */
final class StoredIds {
    private StoredIds() {}

    /** Throws one problem per unknown id; returns when every id given is in the run. */
    static void check(PlanStore store, long run, String model, String gpu) {
        List<FieldError.Problem> problems = new ArrayList<>();
        unknown(problems, "--model", "model", model, store, run, PlanStore.IdColumn.MODEL);
        unknown(problems, "--gpu", "gpu", gpu, store, run, PlanStore.IdColumn.GPU);
        if (!problems.isEmpty()) {
            throw new FieldError(problems);
        }
    }

    private static void unknown(
            List<FieldError.Problem> problems,
            String option,
            String what,
            String id,
            PlanStore store,
            long run,
            PlanStore.IdColumn column) {
        if (id == null) {
            return;
        }
        Set<String> known = store.ids(run, column);
        if (!known.contains(id)) {
            problems.add(new FieldError.Problem(
                    FieldError.Kind.UNKNOWN,
                    what,
                    option,
                    "no " + what + " \"" + id + "\" in run " + run + ".",
                    Suggest.closest(id, known)));
        }
    }
}
