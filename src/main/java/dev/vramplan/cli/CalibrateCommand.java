package dev.vramplan.cli;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.validate.Calibrator;
import dev.vramplan.validate.MeasurementLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Fits per-family (or per-model) activation factors to measurements and writes catalog/calibration.yaml.",
        footer = {"", "Example: vramplan calibrate --measurements my-runs.yaml --by model",
                "Estimates, plans and validate then use the factors, and say so; delete the file to go back."})
final class CalibrateCommand implements Callable<Integer> {
    enum By { family, model }

    @Option(names = "--measurements", required = true, paramLabel = "FILE")
    Path measurements;
    @Mixin
    CatalogOption catalog;
    @Option(names = "--by", defaultValue = "family", description = "family or model (default: ${DEFAULT-VALUE})")
    By by;
    @Option(names = "--out", paramLabel = "FILE", description = "where to write (default: CATALOG/calibration.yaml)")
    Path out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path dir = catalog.dir();
        Catalog c = CatalogLoader.load(dir);
        List<Calibrator.Fit> fits = Calibrator.fit(MeasurementLoader.load(measurements, c), c, by == By.model,
                measurements.getFileName().toString());
        Path file = out != null ? out : dir.resolve(CatalogLoader.CALIBRATION);
        String text = Calibrator.yaml(fits, "Written by 'vramplan calibrate --by " + by + "' from " + measurements.getFileName()
                + ".\nEach factor multiplies the estimated activations and inputs/outputs of a " + by
                + "; points: the measurements it was fitted to.");
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".calibration", ".yaml");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new InvalidInputException(file + ":1:1: cannot be written: " + e.getMessage());
        }
        Table t = new Table(by.name(), "factor", "points", "median |err| before", "after");
        for (Calibrator.Fit f : fits) {
            t.add(f.calibration().key(), String.format(Locale.ROOT, "%.3f", f.calibration().activationFactor()), f.points(),
                    ValidateCommand.pct(f.medianBefore()), ValidateCommand.pct(f.medianAfter()));
        }
        t.print(spec.commandLine().getOut());
        spec.commandLine().getOut().printf("wrote %s (%d factors)%n", Paths.shown(file), fits.size());
        return Exits.OK;
    }
}
