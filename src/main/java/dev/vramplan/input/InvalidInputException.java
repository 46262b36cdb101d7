package dev.vramplan.input;

import java.util.List;

/**
 * The user's input (arguments, YAML, DRL) is wrong. Each line is complete on its own:
 * {@code file:line:column: field: what is wrong}. The command line prints them and exits with 2.
 */
public class InvalidInputException extends RuntimeException {
    private final List<String> lines;

    public InvalidInputException(List<String> lines) {
        super(String.join("\n", lines));
        this.lines = List.copyOf(lines);
    }

    public InvalidInputException(String line) {
        this(List.of(line));
    }

    public List<String> lines() {
        return lines;
    }
}
