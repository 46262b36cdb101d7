package dev.vramplan.cli;

import dev.vramplan.catalog.Bands;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.validate.BandBuilder;
import dev.vramplan.validate.Calibrator;
import dev.vramplan.validate.MeasurementLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description = {
            "Fits per-family (or per-model) activation factors to measurements and writes catalog/calibration.yaml;",
            "with --bands, builds the 90%% bands around estimates from the same measurements and writes catalog/bands.yaml."
        },
        footer = {
            "",
            "Example: vramplan calibrate --measurements my-runs.yaml --by model",
            "         vramplan calibrate --measurements my-runs.yaml --bands",
            "Estimates, plans and validate then use the factors (and bands), and say so; delete the file to go back.",
            "Build the bands after the factors: they measure the errors of the estimates as the catalog stands."
        })
final class CalibrateCommand implements Callable<Integer> {
    enum By {
        family,
        model
    }

    @Option(names = "--measurements", required = true, paramLabel = "FILE")
    Path measurements;

    @Mixin
    CatalogOption catalog;

    @Option(names = "--by", defaultValue = "family", description = "family or model (default: ${DEFAULT-VALUE})")
    By by;

    @Option(
            names = "--bands",
            description = "write CATALOG/bands.yaml (the band around every estimate) instead of the factors")
    boolean bands;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "where to write (default: CATALOG/calibration.yaml, or" + " CATALOG/bands.yaml with --bands)")
    Path out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path dir = catalog.dir();
        if (bands) {
            return writeBands(dir, CatalogLoader.loadWithoutBands(dir));
        }
        Catalog c = CatalogLoader.load(dir);
        List<Calibrator.Fit> fits = Calibrator.fit(
                MeasurementLoader.load(measurements, c),
                c,
                by == By.model,
                measurements.getFileName().toString());
        Path file = out != null ? out : dir.resolve(CatalogLoader.CALIBRATION);
        String text = Calibrator.yaml(
                fits,
                "Written by 'vramplan calibrate --by " + by + "' from " + measurements.getFileName()
                        + ".\nEach factor multiplies the estimated activations and inputs/outputs of a " + by
                        + "; points: the measurements it was fitted to.");
        write(file, text);
        Table t = new Table(by.name(), "factor", "points", "median |err| before", "after");
        for (Calibrator.Fit f : fits) {
            t.add(
                    f.calibration().key(),
                    String.format(Locale.ROOT, "%.3f", f.calibration().activationFactor()),
                    f.points(),
                    ValidateCommand.pct(f.medianBefore()),
                    ValidateCommand.pct(f.medianAfter()));
        }
        t.print(spec.commandLine().getOut());
        spec.commandLine().getOut().printf("wrote %s (%d factors)%n", Paths.shown(file), fits.size());
        return Exits.OK;
    }

    /** Builds the bands from the measurements as the catalog (with its factors) estimates them, and writes them. */
    private int writeBands(Path dir, Catalog c) {
        Bands b = BandBuilder.build(
                MeasurementLoader.load(measurements, c),
                c,
                true,
                measurements.getFileName().toString());
        Path file = out != null ? out : dir.resolve(CatalogLoader.BANDS);
        write(
                file,
                BandBuilder.yaml(
                        b,
                        "Written by 'vramplan calibrate --bands' from " + measurements.getFileName()
                                + ": the 90% band around estimates (docs/accuracy.md, \"The band\").\nEach group's margin: the top of its band is"
                                + " estimate x (1 + margin); points: the measurements it came from. Rebuild it, do not edit it."));
        Table t = new Table("group", "points", "margin");
        b.groups()
                .values()
                .forEach(g -> t.add(g.key(), g.ids().size(), String.format(Locale.ROOT, "+%.1f%%", 100 * g.margin())));
        PrintWriter o = spec.commandLine().getOut();
        t.print(o);
        o.printf(
                Locale.ROOT,
                "leave-one-source-out: %s of %d points covered, median width +%s%n",
                ValidateCommand.pct(b.coverage()),
                b.points().size(),
                ValidateCommand.pct(b.medianWidth()));
        o.printf("wrote %s (%d groups)%n", Paths.shown(file), b.groups().size());
        return Exits.OK;
    }

    private static void write(Path file, String text) {
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".calibration", ".yaml");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new InvalidInputException(file + ":1:1: cannot be written: " + e.getMessage());
        }
    }
}
