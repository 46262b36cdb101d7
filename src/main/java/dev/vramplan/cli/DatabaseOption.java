package dev.vramplan.cli;

import picocli.CommandLine.Option;

/** {@code --db}, the same option with the same words for every command that reads or stores plans. */
final class DatabaseOption {
    @Option(
            names = "--db",
            paramLabel = "PATH|URL",
            description = "where plans are stored: an H2 file path or a JDBC URL"
                    + " (default: $VRAMPLAN_DB, else db/vramplan)")
    String db;

    /** The database to open: --db, else VRAMPLAN_DB, else db/vramplan beside the launcher. */
    String where() {
        return Paths.db(db);
    }
}
