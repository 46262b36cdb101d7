package dev.vramplan.cli;

import static dev.vramplan.answer.Json.text;

import java.io.PrintWriter;

/** How every command prints JSON: one document per command, as {@code answer.Json} writes it. */
final class Json {
    private Json() {}

    static void print(PrintWriter out, Object value) {
        out.println(text(value));
    }
}
