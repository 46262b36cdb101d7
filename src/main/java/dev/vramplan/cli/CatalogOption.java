package dev.vramplan.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --catalog}, the same option with the same words for every command that reads the catalog. */
final class CatalogOption {
    @Option(
            names = "--catalog",
            paramLabel = "DIR",
            description =
                    "catalog folder: gpus.yaml, models.yaml, fleet.yaml" + " (default: catalog/ beside the launcher)")
    Path given;

    /** The folder to read: --catalog, else catalog/ beside the launcher. */
    Path dir() {
        return Paths.catalog(given);
    }
}
