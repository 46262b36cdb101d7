package dev.vramplan.validate;

import dev.vramplan.catalog.Bands;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.estimate.BandedEstimate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds catalog/bands.yaml from validation: every measured point's ratio measured / estimate, every group of
 * {@link dev.vramplan.catalog.BandGroups} that has enough points with its conformal margin, and the coverage and
 * width those bands reach leave-one-source-out (the file's claims, which a test recomputes).
 */
public final class BandBuilder {
    public static final double CONFIDENCE = 0.9;

    private BandBuilder() {}

    public static Bands build(List<Measurement> measurements, Catalog catalog, boolean calibrated, String builtFrom) {
        Validator.Report report = Validator.validate(measurements, catalog, calibrated);
        Map<String, Bands.Point> points = new LinkedHashMap<>();
        // a group's points, with the level of the key in its chain (0: finest) to order the file by
        Map<String, List<String>> members = new TreeMap<>();
        Map<String, Integer> level = new LinkedHashMap<>();
        for (Validator.Point p : report.points()) {
            if (p.m().oom()) {
                continue;
            }
            double ratio = round((double) p.measuredBytes() / p.estimateBytes());
            points.put(p.m().id(), new Bands.Point(p.m().id(), BandCheck.source(p.m()), ratio));
            List<String> chain = BandedEstimate.chain(Validator.request(p.m(), catalog, calibrated));
            for (int i = 0; i < chain.size(); i++) {
                members.computeIfAbsent(chain.get(i), k -> new ArrayList<>()).add(p.m().id());
                level.merge(chain.get(i), i, Math::max);
            }
        }
        List<Bands.Group> groups = new ArrayList<>();
        members.forEach((key, ids) -> {
            Double margin =
                    Bands.margin(ids.stream().map(id -> points.get(id).ratio()).toList(), CONFIDENCE);
            long sources =
                    ids.stream().map(id -> points.get(id).source()).distinct().count();
            if (margin != null && sources >= Bands.MIN_SOURCES) {
                groups.add(new Bands.Group(key, round(margin), ids));
            }
        });
        groups.sort(Comparator.comparing((Bands.Group g) -> level.get(g.key())).thenComparing(Bands.Group::key));
        // a parent with the same points as a finer group says nothing more: a job finds the finer one first
        Map<String, Bands.Group> byKey = new LinkedHashMap<>();
        Set<Set<String>> seen = new HashSet<>();
        for (Bands.Group g : groups) {
            if (seen.add(new HashSet<>(g.ids()))) {
                byKey.put(g.key(), g);
            }
        }
        Bands unjudged = new Bands(CONFIDENCE, builtFrom, null, null, byKey, points);
        BandCheck.Result loso = BandCheck.check(report, catalog, unjudged, calibrated);
        return new Bands(CONFIDENCE, builtFrom, round(loso.coverage()), round(loso.medianWidth()), byKey, points);
    }

    static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    /** bands.yaml text; {@code header} becomes its leading comment. */
    public static String yaml(Bands bands, String header) {
        StringBuilder b = new StringBuilder();
        for (String line : header.split("\n")) {
            b.append("# ").append(line).append('\n');
        }
        b.append("bands:\n");
        b.append("  confidence: ").append(bands.confidence()).append('\n');
        b.append("  built_from: ").append(quote(bands.builtFrom())).append('\n');
        b.append("  # leave-one-source-out: the share of points at or below a band built without their source, and the")
                .append(" median of those bands' margins (high / estimate - 1)\n");
        b.append("  coverage: ").append(num(bands.coverage())).append('\n');
        b.append("  median_width: ").append(num(bands.medianWidth())).append('\n');
        b.append("  groups:\n");
        for (Bands.Group g : bands.groups().values()) {
            b.append("    - group: ").append(g.key()).append('\n');
            b.append("      margin: ").append(num(g.margin())).append('\n');
            b.append("      points: [");
            int width = 15;
            for (int i = 0; i < g.ids().size(); i++) {
                String id = key(g.ids().get(i)) + (i + 1 < g.ids().size() ? "," : "]");
                if (i > 0 && width + id.length() > 118) {
                    b.append("\n        ");
                    width = 8;
                } else if (i > 0) {
                    b.append(' ');
                    width++;
                }
                b.append(id);
                width += id.length();
            }
            if (g.ids().isEmpty()) {
                b.append(']');
            }
            b.append('\n');
        }
        b.append("  # measured bytes / estimated bytes of the same kind, by source and measurement id\n");
        b.append("  sources:\n");
        Map<String, List<Bands.Point>> bySource = new LinkedHashMap<>();
        bands.points().values().forEach(p -> bySource.computeIfAbsent(p.source(), k -> new ArrayList<>())
                .add(p));
        bySource.forEach((source, list) -> {
            b.append("    - source: ").append(quote(source)).append('\n');
            b.append("      ratios:\n");
            for (Bands.Point p : list) {
                b.append("        ")
                        .append(key(p.id()))
                        .append(": ")
                        .append(num(p.ratio()))
                        .append('\n');
            }
        });
        return b.toString();
    }

    private static String num(Double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** An id as a YAML key or list item: plain when it is a plain word, else quoted. */
    private static String key(String id) {
        return id.matches("[A-Za-z_][A-Za-z0-9_.-]*") && !id.matches("(?i)true|false|null|yes|no|on|off|y|n")
                ? id
                : quote(id);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
