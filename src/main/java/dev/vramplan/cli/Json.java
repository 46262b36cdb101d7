package dev.vramplan.cli;

import java.io.PrintWriter;

/** How every command prints JSON: one document per command, as {@link dev.vramplan.answer.Json} writes it. */
final class Json {
    private Json() {
    }

    static void print(PrintWriter out, Object value) {
        out.println(dev.vramplan.answer.Json.text(value));
    }
}
