package dev.vramplan.answer;

import dev.vramplan.input.InvalidInputException;
import java.util.List;
import java.util.Objects;

/**
 * Input a user can fix, naming the parameter it is about: the command line prints each problem as a line
 * ({@code --model: no model "yolov8ss" in run 3. Did you mean "yolov8s"?}) and exits 2; the server answers 400 for
 * a bad value and 404 for an id it does not know, with {@code {error, field, suggestion}}.
 */
public final class FieldError extends InvalidInputException {
    /** A value that cannot be used (400), or an id nothing holds (404). */
    public enum Kind {
        BAD,
        UNKNOWN
    }

    /**
     * One problem. {@code label}: the parameter as the command line names it ({@code --model}, {@code RUN_A});
     * {@code field}: as the HTTP API names it ({@code model}, {@code a}); {@code suggestion}: the closest known
     * value, or null.
     */
    public record Problem(Kind kind, String field, String label, String error, String suggestion) {
        public Problem {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(error, "error");
        }

        /** The line the command line prints. */
        public String line() {
            return label + ": " + error + (suggestion == null ? "" : " Did you mean \"" + suggestion + "\"?");
        }
    }

    private final List<Problem> problems;

    public FieldError(List<Problem> problems) {
        super(problems.stream().map(Problem::line).toList());
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a field error names at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public static FieldError bad(String field, String label, String error, String suggestion) {
        return new FieldError(List.of(new Problem(Kind.BAD, field, label, error, suggestion)));
    }

    public static FieldError unknown(String field, String label, String error, String suggestion) {
        return new FieldError(List.of(new Problem(Kind.UNKNOWN, field, label, error, suggestion)));
    }

    /** The problems, in the order found; the server reports the first. */
    public List<Problem> problems() {
        return problems;
    }
}
