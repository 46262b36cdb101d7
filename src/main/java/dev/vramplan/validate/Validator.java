package dev.vramplan.validate;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.YoloSpec;
import dev.vramplan.estimate.Estimate;
import dev.vramplan.estimate.EstimateRequest;
import dev.vramplan.estimate.EstimateTooLargeException;
import dev.vramplan.estimate.Estimator;
import dev.vramplan.estimate.Setup;
import dev.vramplan.input.InvalidInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/** Estimates every measured point and says how far off the estimate is. */
public final class Validator {
    /** A point is dangerously under-estimated when the estimate is more than 10% below the measurement. */
    public static final double UNDER_THRESHOLD = -0.10;

    private Validator() {}

    /**
     * One compared point.
     *
     * @param relError (estimate − measured) / measured; null for oom points
     * @param predictedOom for oom points: whether the estimate says the job does not fit the card
     */
    public record Point(
            Measurement m,
            String family,
            long estimateBytes,
            Long measuredBytes,
            Double relError,
            boolean predictedOom,
            Estimate estimate) {}

    /** The summary the README publishes (JSON keys in snake case). */
    public record Summary(
            int count,
            double medianAbsRelError,
            double p90AbsRelError,
            double maxAbsRelError,
            double underestimatedShare,
            int oomPoints,
            int oomPredicted) {
        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", count);
            m.put("median_abs_rel_error", medianAbsRelError);
            m.put("p90_abs_rel_error", p90AbsRelError);
            m.put("max_abs_rel_error", maxAbsRelError);
            m.put("underestimated_share", underestimatedShare);
            m.put("oom_points", oomPoints);
            m.put("oom_predicted", oomPredicted);
            return m;
        }
    }

    public record Report(List<Point> points, Summary summary, Map<String, Summary> byFamily) {
        public Report {
            points = List.copyOf(points);
        }

        /** The summary of the points whose source said what it measured and in which unit. */
        public Summary stated() {
            return summarize(points.stream().filter(p -> !p.m().uncertain()).toList());
        }

        /** How many points carry uncertain_kind or uncertain_unit. */
        public long uncertain() {
            return points.stream().filter(p -> p.m().uncertain()).count();
        }
    }

    /** A card for readings that do not depend on it (peak_allocated, reserved) when the source does not name one. */
    static final Gpu UNKNOWN_CARD = new Gpu(
            "unknown",
            "card not stated",
            "nvidia",
            "datacenter",
            "unknown",
            9.0,
            1L << 50,
            1L << 50,
            0,
            null,
            Set.of(),
            Map.of(),
            null);

    /** Estimates with the catalog's calibration where it has one. */
    public static Report validate(List<Measurement> measurements, Catalog catalog) {
        return validate(measurements, catalog, true);
    }

    public static Report validate(List<Measurement> measurements, Catalog catalog, boolean calibrated) {
        return validate(measurements, catalog, calibrated, r -> Estimator.estimate(r));
    }

    static Report validate(
            List<Measurement> measurements,
            Catalog catalog,
            boolean calibrated,
            Function<EstimateRequest, Estimate> estimator) {
        List<Point> points = new ArrayList<>();
        for (Measurement m : measurements) {
            EstimateRequest r = request(m, catalog, calibrated);
            Estimate e = estimate(m, r, estimator);
            long est =
                    switch (m.kind()) {
                        case PEAK_ALLOCATED -> e.peakAllocatedBytes();
                        case RESERVED -> e.reservedBytes();
                        case DEVICE_USED -> e.deviceBytes();
                    };
            String family = catalog.model(m.model()).family();
            if (m.oom()) {
                points.add(new Point(m, family, e.deviceBytes(), null, null, !e.fits(), e));
            } else {
                double rel = (double) est / m.measuredBytes() - 1;
                points.add(new Point(m, family, est, m.measuredBytes(), rel, false, e));
            }
        }
        Map<String, List<Point>> groups = new TreeMap<>();
        for (Point p : points) {
            groups.computeIfAbsent(p.family(), k -> new ArrayList<>()).add(p);
        }
        Map<String, Summary> byFamily = new LinkedHashMap<>();
        groups.forEach((k, v) -> byFamily.put(k, summarize(v)));
        return new Report(points, summarize(points), byFamily);
    }

    /** The estimate of a point; one beyond the estimator's bound is the point's mistake, at its file:line:column. */
    static Estimate estimate(Measurement m, EstimateRequest r, Function<EstimateRequest, Estimate> estimator) {
        try {
            return estimator.apply(r);
        } catch (EstimateTooLargeException e) {
            throw new InvalidInputException(m.loc() + ": point \"" + m.id() + "\": "
                    + e.line(in -> switch (in) {
                        case BATCH -> "batch " + r.batch();
                        case SIZE ->
                            r.resolutionPx() != null ? "resolution " + r.resolutionPx() : "seq_len " + r.seqLenTokens();
                        case ADAPTERS ->
                            r.setup().trainableParams() != null
                                    ? "trainable_params " + r.setup().trainableParams()
                                    : r.setup().loraRank() != null
                                            ? "lora_rank " + r.setup().loraRank()
                                            : "model " + m.model();
                        case MODEL -> "model " + m.model();
                    }));
        }
    }

    public static EstimateRequest request(Measurement m, Catalog catalog, boolean calibrated) {
        Model model = catalog.model(m.model());
        if (m.numClasses() != null && model.architecture() instanceof YoloSpec y && y.numClasses() != m.numClasses()) {
            model = new Model(
                    model.id(),
                    model.name(),
                    model.family(),
                    model.publishedParams(),
                    new YoloSpec(
                            y.family(),
                            y.depthMultiple(),
                            y.widthMultiple(),
                            y.maxChannels(),
                            m.numClasses(),
                            y.anchors(),
                            y.layers(),
                            y.backboneLayers(),
                            y.scale()));
        }
        Gpu gpu = m.gpu() == null ? UNKNOWN_CARD : catalog.gpu(m.gpu());
        Setup setup = new Setup(
                        m.finetune(),
                        m.trainableParams(),
                        m.loraRank(),
                        m.gradientCheckpointing(),
                        m.flashAttention() == null || m.flashAttention(),
                        m.ema(),
                        m.quantization())
                .calibrated(calibrated ? catalog.calibration(catalog.model(m.model())) : null)
                .withAdapterDtype(m.run().adapterDtype())
                .withFramework(m.run().framework())
                .withMaxObjects(m.run().maxObjects());
        try {
            return new EstimateRequest(
                    model,
                    gpu,
                    m.mode(),
                    m.precision(),
                    m.batch(),
                    model.vision() ? m.resolution() : null,
                    model.vision() ? null : m.seqLen(),
                    m.optimizer(),
                    setup,
                    m.run().parallelism());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(m.loc() + ": point \"" + m.id() + "\": " + e.getMessage());
        }
    }

    public static Summary summarize(List<Point> points) {
        List<Double> abs = new ArrayList<>();
        int under = 0;
        int ooms = 0;
        int predicted = 0;
        for (Point p : points) {
            if (p.relError() == null) {
                ooms++;
                if (p.predictedOom()) {
                    predicted++;
                }
            } else {
                abs.add(Math.abs(p.relError()));
                if (p.relError() < UNDER_THRESHOLD) {
                    under++;
                }
            }
        }
        abs.sort(Comparator.naturalOrder());
        int n = abs.size();
        return new Summary(
                n,
                quantile(abs, 0.5),
                quantile(abs, 0.9),
                n == 0 ? 0 : abs.get(n - 1),
                n == 0 ? 0 : (double) under / n,
                ooms,
                predicted);
    }

    /** The median as the mean of the middle two; other quantiles by nearest rank. */
    static double quantile(List<Double> sorted, double q) {
        int n = sorted.size();
        if (n == 0) {
            return 0;
        }
        if (q == 0.5) {
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
        int rank = (int) Math.ceil(q * n);
        return sorted.get(Math.max(0, Math.min(n - 1, rank - 1)));
    }
}
