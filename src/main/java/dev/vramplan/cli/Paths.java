package dev.vramplan.cli;

import dev.vramplan.input.Shown;
import java.nio.file.Path;

/** Default locations: beside the launcher ({@code VRAMPLAN_HOME}, which ./vramplan sets), else the working folder. */
final class Paths {
    private Paths() {}

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

    /** --db, else VRAMPLAN_DB (a team's shared database), else db/vramplan beside the launcher. */
    static String db(String given) {
        if (given != null) {
            return given;
        }
        String env = System.getenv("VRAMPLAN_DB");
        return env != null && !env.isBlank()
                ? env
                : home().resolve("db").resolve("vramplan").toString();
    }

    /** A path as a user would type it: relative to the working folder when inside it. */
    static String shown(Path p) {
        return Shown.path(p);
    }
}
