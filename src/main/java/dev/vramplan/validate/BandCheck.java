package dev.vramplan.validate;

import dev.vramplan.catalog.Band;
import dev.vramplan.catalog.Bands;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.estimate.BandedEstimate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges bands leave-one-source-out: each measured point gets the band of its group built without the points of
 * its own source, so a source never informs the band it is checked against. A point is covered when its
 * measurement is at or below the band's top.
 */
public final class BandCheck {
    private BandCheck() {}

    /**
     * One point's band.
     *
     * @param highBytes the band's top over the estimate of the point's kind
     * @param covered   measured ≤ highBytes; false for out-of-memory points, which have no measured number
     */
    public record Judged(Validator.Point point, Band band, long highBytes, boolean covered) {}

    /**
     * Every point's band and the summary.
     *
     * @param coverage    share of the points with a measured number that are at or below their band's top
     * @param medianWidth median over those points of high / estimate − 1
     */
    public record Result(Map<String, Judged> byId, int count, double coverage, double medianWidth) {
        public Judged of(Validator.Point p) {
            return byId.get(p.m().id());
        }
    }

    /** The source a point counts as: its own id when the file does not say (a point of unknown origin stands alone). */
    static String source(Measurement m) {
        return m.source().isBlank() ? "unstated: " + m.id() : m.source();
    }

    public static Result check(Validator.Report report, Catalog catalog, boolean calibrated) {
        return check(report, catalog, catalog.bands(), calibrated);
    }

    static Result check(Validator.Report report, Catalog catalog, Bands bands, boolean calibrated) {
        Map<String, Judged> byId = new LinkedHashMap<>();
        List<Double> widths = new ArrayList<>();
        int covered = 0;
        for (Validator.Point p : report.points()) {
            Band band = bands.band(BandedEstimate.chain(Validator.request(p.m(), catalog, calibrated)), source(p.m()));
            long high = band.high(p.estimateBytes());
            boolean ok = !p.m().oom() && p.measuredBytes() <= high;
            byId.put(p.m().id(), new Judged(p, band, high, ok));
            if (!p.m().oom()) {
                widths.add(band.margin());
                covered += ok ? 1 : 0;
            }
        }
        int n = widths.size();
        return new Result(byId, n, n == 0 ? 0 : (double) covered / n, n == 0 ? 0 : Calibrator.median(widths));
    }
}
