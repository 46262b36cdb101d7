package dev.vramplan.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --rules}, the same option with the same words for every command that reads the team's rules. */
final class RulesOption {
    @Option(
            names = "--rules",
            paramLabel = "DIR",
            description = "rules folder: the team's policy as *.drl files" + " (default: rules/ beside the launcher)")
    Path given;

    /** The folder to read: --rules, else rules/ beside the launcher. */
    Path dir() {
        return Paths.rules(given);
    }
}
