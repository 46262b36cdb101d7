package dev.vramplan.cli;

import java.io.PrintWriter;

import static dev.vramplan.answer.Json.text;

/** How every command prints JSON: one document per command, as {@code answer.Json} writes it. */
final class Json {
    private Json() {
    }

    static void print(PrintWriter out, Object value) {
        out.println(text(value));
    }
}
