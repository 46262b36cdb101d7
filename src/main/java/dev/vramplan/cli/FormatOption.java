package dev.vramplan.cli;

import picocli.CommandLine.Option;

/** {@code --format table|json}, the same option with the same words for every command that prints either. */
final class FormatOption {
    enum Format {
        table,
        json
    }

    @Option(
            names = "--format",
            defaultValue = "table",
            description = "table (for people) or json (for programs)" + " (default: ${DEFAULT-VALUE})")
    Format format;

    boolean json() {
        return format == Format.json;
    }
}
