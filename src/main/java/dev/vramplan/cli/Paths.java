package dev.vramplan.cli;

import java.nio.file.Path;

/** Default locations: beside the launcher ({@code VRAMPLAN_HOME}, which ./vramplan sets), else the working folder. */
final class Paths {
    private Paths() {
    }

    static Path home() {
        String h = System.getenv("VRAMPLAN_HOME");
        return h == null || h.isBlank() ? Path.of("") : Path.of(h);
    }

    static Path catalog(Path given) {
        return given != null ? given : home().resolve("catalog");
    }

    static Path rules(Path given) {
        return given != null ? given : home().resolve("rules");
    }

    static String db(String given) {
        return given != null ? given : home().resolve("db").resolve("vramplan").toString();
    }

    /** A path as a user would type it: relative to the working folder when inside it. */
    static String shown(Path p) {
        return dev.vramplan.catalog.Shown.path(p);
    }
}
