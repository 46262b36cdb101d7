package dev.vramplan.cli;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.input.Sizes;
import dev.vramplan.validate.BandBuilder;
import dev.vramplan.validate.BandCheck;
import dev.vramplan.validate.Measurement;
import dev.vramplan.validate.MeasurementLoader;
import dev.vramplan.validate.Validator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = "Compares the estimator with measured peak memory, point by point, and summarises the error.",
        footer = {
            "",
            "Example: vramplan validate --measurements src/test/resources/validation/measurements.yaml",
            "Format of the file: docs/measurement-format.md."
        })
final class ValidateCommand implements Callable<Integer> {

    @Option(names = "--measurements", required = true, paramLabel = "FILE")
    Path measurements;

    @Mixin
    CatalogOption catalog;

    @Mixin
    FormatOption output;

    @Option(names = "--no-calibration", description = "ignore catalog/calibration.yaml: the physics alone")
    boolean noCalibration;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Catalog c = CatalogLoader.load(catalog.dir());
        List<Measurement> ms = MeasurementLoader.load(measurements, c);
        Validator.Report report = Validator.validate(ms, c, !noCalibration);
        print(
                report,
                BandCheck.check(report, c, !noCalibration),
                output.json(),
                spec.commandLine().getOut());
        return Exits.OK;
    }

    static void print(Validator.Report report, BandCheck.Result bands, boolean json, PrintWriter out) throws Exception {
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            List<Map<String, Object>> points = new ArrayList<>();
            for (Validator.Point p : report.points()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", p.m().id());
                m.put("model", p.m().model());
                m.put("gpu", p.m().gpu());
                m.put("measure_kind", p.m().kind().id());
                m.put("measured_bytes", p.measuredBytes());
                m.put("estimate_bytes", p.estimateBytes());
                m.put("rel_error", p.relError());
                m.put("oom", p.m().oom());
                m.put("predicted_oom", p.m().oom() ? p.predictedOom() : null);
                m.put("calibrated", p.estimate().calibrated());
                m.put("uncertain", p.m().uncertain());
                m.put("band_high_bytes", bands.of(p).highBytes());
                points.add(m);
            }
            j.put("points", points);
            Map<String, Object> summary = report.summary().json();
            // the catalog's bands judged leave-one-source-out (docs/accuracy.md, "The band")
            summary.put("band_coverage", bands.coverage());
            summary.put("median_band_width", bands.medianWidth());
            j.put("summary", summary);
            // the same figures without the points whose source did not say what it measured or in which unit
            j.put("summary_stated", report.stated().json());
            Map<String, Object> fam = new LinkedHashMap<>();
            report.byFamily().forEach((k, v) -> fam.put(k, v.json()));
            j.put("by_family", fam);
            Json.print(out, j);
            return;
        }
        Table t = new Table("id", "model", "kind", "measured", "estimate", "error", "band top", "calibrated");
        for (Validator.Point p : report.points()) {
            t.add(
                    p.m().id(),
                    p.m().model(),
                    p.m().kind().id(),
                    p.m().oom() ? "oom" : Sizes.human(p.measuredBytes()),
                    Sizes.human(p.estimateBytes()),
                    p.m().oom()
                            ? (p.predictedOom() ? "oom predicted" : "MISSED: estimate fits " + p.m().gpu())
                            : String.format(Locale.ROOT, "%+.1f%%", 100 * p.relError()),
                    Sizes.human(bands.of(p).highBytes())
                            + (p.m().oom() || bands.of(p).covered() ? "" : " BELOW"),
                    p.estimate().calibrated()
                            ? String.format(Locale.ROOT, "x%.3f", p.estimate().activationFactor())
                            : "");
        }
        t.print(out);
        out.println();
        Table s = new Table("family", "count", "median |err|", "p90 |err|", "max |err|", "under >10%", "oom predicted");
        report.byFamily()
                .forEach((k, v) -> s.add(
                        k,
                        v.count(),
                        pct(v.medianAbsRelError()),
                        pct(v.p90AbsRelError()),
                        pct(v.maxAbsRelError()),
                        pct(v.underestimatedShare()),
                        v.oomPredicted() + "/" + v.oomPoints()));
        Validator.Summary a = report.summary();
        s.add(
                "all",
                a.count(),
                pct(a.medianAbsRelError()),
                pct(a.p90AbsRelError()),
                pct(a.maxAbsRelError()),
                pct(a.underestimatedShare()),
                a.oomPredicted() + "/" + a.oomPoints());
        if (report.uncertain() > 0) {
            Validator.Summary st = report.stated();
            s.add(
                    "stated*",
                    st.count(),
                    pct(st.medianAbsRelError()),
                    pct(st.p90AbsRelError()),
                    pct(st.maxAbsRelError()),
                    pct(st.underestimatedShare()),
                    st.oomPredicted() + "/" + st.oomPoints());
        }
        s.print(out);
        out.printf(
                Locale.ROOT,
                "band: %s of %d measured points at or below the top of their %.0f%% band, median width +%s"
                        + " (leave-one-source-out: a source's points never inform its own band)%n",
                pct(bands.coverage()),
                bands.count(),
                100 * BandBuilder.CONFIDENCE,
                pct(bands.medianWidth()));
        if (report.uncertain() > 0) {
            out.printf(
                    Locale.ROOT,
                    "* stated: without the %d points whose source did not say what it measured or in which unit"
                            + " (uncertain_kind, uncertain_unit); \"all\" is the figure to judge by%n",
                    report.uncertain());
        }
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
