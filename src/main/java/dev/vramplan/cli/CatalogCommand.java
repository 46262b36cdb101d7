package dev.vramplan.cli;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.estimate.Estimator;
import dev.vramplan.input.Problems;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "catalog",
        mixinStandardHelpOptions = true,
        description = "Works with the catalog.",
        subcommands = {CatalogCommand.Check.class, CatalogList.class})
final class CatalogCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give a subcommand: check or list");
    }

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                "Checks every catalog file and reports every problem (not just the first).",
                "Warns (exit 0) where a model's published_params is more than 2% away from the count derived from its architecture."
            },
            footer = {"", "Example: vramplan catalog check --catalog catalog/"})
    static final class Check implements Callable<Integer> {
        @Mixin
        CatalogOption catalog;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Path dir = catalog.dir();
            CatalogLoader.Report report = CatalogLoader.check(dir, Estimator::params);
            report.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w.format()));
            List<Problems.Problem> problems = report.problems();
            if (!problems.isEmpty()) {
                problems.forEach(p -> spec.commandLine().getErr().println(p.format()));
                spec.commandLine()
                        .getErr()
                        .println(problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " in "
                                + Paths.shown(dir));
                return Exits.INVALID;
            }
            Catalog c = CatalogLoader.load(dir);
            spec.commandLine()
                    .getOut()
                    .printf(
                            "%s: ok (%d gpus, %d models, %d cards in the fleet, %d workloads)%n",
                            Paths.shown(dir),
                            c.gpus().size(),
                            c.models().size(),
                            c.fleetCards().size(),
                            c.workloads().size());
            return Exits.OK;
        }
    }
}
