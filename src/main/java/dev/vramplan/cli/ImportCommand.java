package dev.vramplan.cli;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.estimate.Estimator;
import dev.vramplan.importer.CatalogWriter;
import dev.vramplan.importer.HfImporter;
import dev.vramplan.importer.UltralyticsImporter;
import dev.vramplan.input.InputFiles;
import dev.vramplan.input.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = "Adds a model to the catalog from the definition you already have.",
        subcommands = {ImportCommand.Hf.class, ImportCommand.Ultralytics.class})
final class ImportCommand implements Runnable {
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give a subcommand: hf or ultralytics");
    }

    /** Options both importers share. */
    static class Target {
        @Option(names = "--id", required = true, paramLabel = "ID", description = "catalog id of the new model")
        String id;

        @Option(names = "--name", paramLabel = "NAME", description = "display name (default: the id)")
        String name;

        @Option(
                names = "--published-params",
                paramLabel = "N",
                description =
                        "the parameter count its authors publish (default: the count derived from the architecture)")
        Long published;

        @Mixin
        CatalogOption catalog;

        @Option(
                names = "--out",
                paramLabel = "FILE",
                description = "models file to add to (default: CATALOG/models-imported.yaml)")
        Path out;

        /** Loads the catalog, builds the entry from the derived parameter count, writes it and reports. */
        int add(
                picocli.CommandLine.Model.CommandSpec spec,
                Path input,
                String family,
                long derived,
                BiFunction<Long, String, String> entry,
                String from) {
            Catalog before = CatalogLoader.load(catalog.dir());
            String comment = "imported from " + input.getFileName() + from
                    + (published == null
                            ? "\npublished_params is the derived count: replace it with the published figure and its source"
                            : "");
            Path file = write(entry.apply(published == null ? derived : published, comment), before);
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "%s: added %s (%s, %,d parameters derived from the architecture)%n",
                            Paths.shown(file),
                            id,
                            family,
                            derived);
            if (published != null) { // a published count far from the architecture's: a config read wrong, or a typo
                CatalogLoader.check(catalog.dir(), Estimator::params).warnings().stream()
                        .filter(w -> w.message().startsWith(id + ": "))
                        .forEach(w -> spec.commandLine().getErr().println("warning: " + w.format()));
            }
            return Exits.OK;
        }

        static void exists(Path input) {
            if (!Files.exists(input)) { // a FIFO or a folder exists: the reader says what it is instead
                throw new InvalidInputException(input + ": no such file");
            }
        }

        /** Appends the entry, then loads the whole catalog again; a catalog that no longer loads gets its file back. */
        Path write(String entry, Catalog before) {
            if (!ID.matcher(id).matches()) {
                throw new InvalidInputException(
                        "--id: \"" + id + "\" is not a valid id: use lowercase letters, digits, '.', '_' and '-'");
            }
            if (before.model(id) != null) {
                throw new InvalidInputException("--id: the catalog already has a model \"" + id + "\"");
            }
            Path dir = catalog.dir();
            Path file = out != null ? out : dir.resolve("models-imported.yaml");
            String name = file.getFileName().toString();
            if (out != null && !(name.equals("models.yaml") || name.startsWith("models-") && name.endsWith(".yaml"))) {
                throw new InvalidInputException(
                        "--out: " + file + ": the catalog reads models.yaml and models-*.yaml only");
            }
            byte[] old = null;
            if (Files.exists(file)) {
                try {
                    old = InputFiles.read(file, "catalog file");
                } catch (InputFiles.Unreadable e) {
                    throw new InvalidInputException(file + ":1:1: " + e.getMessage());
                }
            }
            try {
                String text = old == null ? "# Models added with 'vramplan import'.\nmodels:\n" + entry : "\n" + entry;
                Files.writeString(
                        file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                try {
                    CatalogLoader.load(dir);
                } catch (InvalidInputException e) {
                    if (old == null) {
                        Files.delete(file);
                    } else {
                        Files.write(file, old);
                    }
                    throw e;
                }
            } catch (IOException e) {
                throw new InvalidInputException(file + ":1:1: cannot be written: " + e.getMessage());
            }
            return file;
        }
    }

    @Command(
            name = "hf",
            mixinStandardHelpOptions = true,
            description =
                    "Imports a Hugging Face config.json (llama, mistral, qwen, qwen2, gemma, gemma2, phi, phi3, falcon, gpt2, bert, vit, stablelm, gpt_neox, gpt_bigcode).",
            footer = {"", "Example: vramplan import hf config.json --id my-llama --published-params 8030261248"})
    static final class Hf implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "CONFIG.json")
        Path config;

        @picocli.CommandLine.Mixin
        Target target = new Target();

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Target.exists(config);
            HfImporter.Imported imp = HfImporter.read(config);
            return target.add(
                    spec,
                    config,
                    imp.family(),
                    Estimator.params(imp.spec()),
                    (params, comment) -> CatalogWriter.transformer(
                            target.id,
                            target.name == null ? target.id : target.name,
                            imp.family(),
                            params,
                            comment,
                            imp.spec()),
                    " (model_type " + imp.family() + ")");
        }
    }

    @Command(
            name = "ultralytics",
            mixinStandardHelpOptions = true,
            description = "Imports an Ultralytics model YAML (backbone and head layer lists) at one scale.",
            footer = {"", "Example: vramplan import ultralytics yolov8.yaml --scale s --id my-yolov8s"})
    static final class Ultralytics implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL.yaml")
        Path yaml;

        @Option(
                names = "--scale",
                paramLabel = "n|s|m|l|x",
                description = "the scale to import (files with a scales table)")
        String scale;

        @picocli.CommandLine.Mixin
        Target target = new Target();

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Target.exists(yaml);
            UltralyticsImporter.Imported imp = UltralyticsImporter.read(yaml, scale);
            return target.add(
                    spec,
                    yaml,
                    imp.family(),
                    Estimator.params(imp.spec()),
                    (params, comment) -> CatalogWriter.yolo(
                            target.id, target.name == null ? target.id : target.name, params, comment, imp.spec()),
                    scale == null ? "" : " (scale " + scale + ")");
        }
    }
}
