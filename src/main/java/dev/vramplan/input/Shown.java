package dev.vramplan.input;

import java.nio.file.Path;

/** A path as a user would type it in messages: relative to the working folder when inside it. */
public final class Shown {
    private Shown() {}

    public static String path(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs).toString() : p.toString();
    }
}
