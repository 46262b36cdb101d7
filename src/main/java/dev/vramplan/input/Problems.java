package dev.vramplan.input;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every problem of an input, so that a check reports all of them, not just the first. */
public final class Problems {
    /** One problem: where, the field path ("gpus[7].memory", empty for the whole file) and what. */
    public record Problem(Yaml.Loc loc, String path, String message) {
        /** {@code catalog/gpus.yaml:41:15: gpus[7].memory: "24 GiG" is not a size.} */
        public String format() {
            return loc + ": " + (path == null || path.isEmpty() ? "" : path + ": ") + message;
        }
    }

    private final List<Problem> list = new ArrayList<>();

    public void add(Yaml.Loc loc, String path, String message) {
        list.add(new Problem(loc, path, message));
    }

    public int size() {
        return list.size();
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    /** In file order, so a user can fix them top to bottom. */
    public List<Problem> sorted() {
        List<Problem> copy = new ArrayList<>(list);
        copy.sort(Comparator.comparing((Problem p) -> p.loc().file())
                .thenComparingInt(p -> p.loc().line())
                .thenComparingInt(p -> p.loc().column()));
        return copy;
    }

    /** Throws an {@link InvalidInputException} carrying every problem, if there is any. */
    public void throwIfAny() {
        if (!list.isEmpty()) {
            throw new InvalidInputException(
                    sorted().stream().map(Problem::format).toList());
        }
    }
}
