package dev.vramplan.cli;

import dev.vramplan.input.InvalidInputException;
import dev.vramplan.report.ReportHtml;
import dev.vramplan.report.RunReport;
import dev.vramplan.store.PlanStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description =
                "Writes a stored run as one self-contained HTML page: the workloads x cards matrix, a cell's memory,"
                        + " what changed since the run before, and where the run came from.",
        footer = {"", "Example: vramplan report --out report.html"})
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--run", paramLabel = "N", description = "run id (default: the latest)")
    Long run;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            defaultValue = "report.html",
            description = "the page to write, '-' for standard output (default: ${DEFAULT-VALUE})")
    Path out;

    @picocli.CommandLine.Mixin
    DatabaseOption database;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RunReport report;
        try (PlanStore store = PlanStore.openForReading(database.where())) {
            report = RunReport.of(store, run, Main.VERSION);
        }
        String html = ReportHtml.of(report);
        if (out.toString().equals("-")) {
            spec.commandLine().getOut().print(html);
            return Exits.OK;
        }
        write(out, html);
        spec.commandLine()
                .getOut()
                .printf(
                        Locale.ROOT,
                        "report of run %d (%,d cells%s) written to %s%n",
                        report.run().id(),
                        report.cells().size(),
                        report.truncated()
                                ? String.format(
                                        Locale.ROOT, " of %,d", report.run().cells())
                                : "",
                        Paths.shown(out));
        return Exits.OK;
    }

    /** Writes the page whole or not at all: a copy beside it, renamed over it. */
    private static void write(Path file, String html) {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the error below says what went wrong
            }
            throw new InvalidInputException("--out: cannot write " + Paths.shown(file) + ": " + e.getMessage());
        }
    }
}
