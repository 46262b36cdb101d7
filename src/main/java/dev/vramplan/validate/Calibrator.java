package dev.vramplan.validate;

import dev.vramplan.catalog.Calibration;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.estimate.Estimate;
import dev.vramplan.estimate.EstimateRequest;
import dev.vramplan.estimate.Estimator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fits one activation factor per model or per family: the estimate is F + k·A, where A is the part of the
 * matched total that activations and inputs/outputs contribute (weights, optimizer states and the runtime
 * stay physics); k minimises the squared relative error over the group's points, under-estimates weighing
 * more than over-estimates (an out-of-memory job costs more than an idle gigabyte). Points whose total does
 * not depend on activations (an optimizer-step peak, out-of-memory points) do not inform k.
 */
public final class Calibrator {
    /** A factor outside this range means the model is wrong, not uncalibrated: it is clamped and reported. */
    public static final double MIN_FACTOR = 0.25;

    public static final double MAX_FACTOR = 4.0;
    /** Groups whose activations are under 2% of their measured totals are weights-only: nothing to calibrate. */
    public static final double MIN_ACTIVATION_SHARE = 0.02;
    /** How much more an under-estimate weighs than an over-estimate when fitting. */
    public static final double UNDER_WEIGHT = 1.5;

    private Calibrator() {}

    public record Fit(Calibration calibration, int points, double medianBefore, double medianAfter) {}

    public static List<Fit> fit(List<Measurement> measurements, Catalog catalog, boolean byModel, String source) {
        Map<String, List<Measurement>> groups = new TreeMap<>();
        for (Measurement m : measurements) {
            if (m.oom()) {
                continue; // an oom says nothing of activations
            }
            String key = byModel ? m.model() : catalog.model(m.model()).family();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(m);
        }
        List<Fit> fits = new ArrayList<>();
        for (Map.Entry<String, List<Measurement>> g : groups.entrySet()) {
            double num = 0;
            double den = 0;
            List<Double> before = new ArrayList<>();
            List<double[]> rows = new ArrayList<>();
            for (Measurement m : g.getValue()) {
                EstimateRequest r = Validator.request(m, catalog, false);
                double one = total(m, Validator.estimate(m, r, Estimator::estimate));
                double two = total(m, Validator.estimate(m, with(r, 2.0), Estimator::estimate));
                double a = two - one;
                double f = one - a;
                double meas = m.measuredBytes();
                num += a * (meas - f) / (meas * meas);
                den += a * a / (meas * meas);
                before.add(Math.abs(one / meas - 1));
                rows.add(new double[] {f, a, meas});
            }
            // activations must matter to the group's totals (RMS share of at least 2%) for k to mean anything
            if (den <= 0 || Math.sqrt(den / rows.size()) < MIN_ACTIVATION_SHARE) {
                continue;
            }
            double k = Math.max(MIN_FACTOR, Math.min(MAX_FACTOR, num / den));
            // a planner that under-estimates sends jobs out of memory: residuals below the measurement weigh
            // UNDER_WEIGHT times more (an asymmetric least squares, solved by reweighting)
            for (int iter = 0; iter < 20; iter++) {
                double n2 = 0;
                double d2 = 0;
                for (double[] row : rows) {
                    double w = row[0] + k * row[1] < row[2] ? UNDER_WEIGHT : 1;
                    n2 += w * row[1] * (row[2] - row[0]) / (row[2] * row[2]);
                    d2 += w * row[1] * row[1] / (row[2] * row[2]);
                }
                k = Math.max(MIN_FACTOR, Math.min(MAX_FACTOR, n2 / d2));
            }
            List<Double> after = new ArrayList<>();
            for (double[] row : rows) {
                after.add(Math.abs((row[0] + k * row[1]) / row[2] - 1));
            }
            Calibration c = new Calibration(
                    byModel ? "model" : "family",
                    g.getKey(),
                    round(k),
                    g.getValue().stream().map(Measurement::id).toList(),
                    source);
            fits.add(new Fit(c, rows.size(), median(before), median(after)));
        }
        return fits;
    }

    private static double round(double k) {
        return Math.round(k * 1000) / 1000.0;
    }

    static EstimateRequest with(EstimateRequest r, double factor) {
        return new EstimateRequest(
                r.model(),
                r.gpu(),
                r.mode(),
                r.precision(),
                r.batch(),
                r.resolutionPx(),
                r.seqLenTokens(),
                r.optimizer(),
                r.setup().withActivationFactor(factor));
    }

    static double total(Measurement m, Estimate e) {
        return switch (m.kind()) {
            case PEAK_ALLOCATED -> e.peakAllocatedBytes();
            case RESERVED -> e.reservedBytes();
            case DEVICE_USED -> e.deviceBytes();
        };
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(Double::compare);
        return Validator.quantile(s, 0.5);
    }

    /** calibration.yaml text. */
    public static String yaml(List<Fit> fits, String header) {
        StringBuilder b = new StringBuilder();
        for (String line : header.split("\n")) {
            b.append("# ").append(line).append('\n');
        }
        b.append("calibration:\n");
        for (Fit f : fits) {
            Calibration c = f.calibration();
            b.append("  - ").append(c.scope()).append(": ").append(c.key()).append('\n');
            b.append("    activation_factor: ").append(c.activationFactor()).append('\n');
            b.append("    source: \"").append(c.source().replace("\"", "'")).append("\"\n");
            b.append("    points: [").append(String.join(", ", c.points())).append("]\n");
        }
        return b.toString();
    }
}
