package dev.vramplan.catalog;

import dev.vramplan.input.Fields;
import dev.vramplan.input.Problems;
import dev.vramplan.input.Suggest;
import dev.vramplan.input.Yaml;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads catalog/bands.yaml strictly: unknown fields, ids no source measured, groups too small for their confidence
 * and margins that do not follow from their points are errors at their file:line:column.
 */
final class BandReader {
    /** Margins and ratios are written with four decimals. */
    private static final double TOLERANCE = 0.00005;

    private BandReader() {}

    /** The bands of the file, or null when it has problems (added to {@code problems}). */
    static Bands read(Yaml.Node root, Problems problems) {
        int before = problems.size();
        Fields top = Fields.of(root, "", problems);
        if (top == null) {
            return null;
        }
        Fields b = top.map("bands", true);
        top.finish();
        if (b == null) {
            return null;
        }
        Double confidence = b.number("confidence", 0.5, 0.99, null);
        String builtFrom = b.string("built_from", "");
        Double coverage = b.number("coverage", 0, 1, -1.0);
        Double width = b.number("median_width", 0, 100, -1.0);
        Set<String> declared = new HashSet<>();
        Map<String, Bands.Point> points = sources(b, declared, problems);
        Map<String, Bands.Group> groups = new LinkedHashMap<>();
        Yaml.ListNode list = b.list("groups", true);
        b.finish();
        if (list != null && confidence != null) {
            Map<String, Yaml.Loc> seen = new HashMap<>();
            for (int i = 0; i < list.items().size(); i++) {
                Fields g = Fields.of(list.items().get(i), "bands.groups[" + i + "]", problems);
                if (g == null) {
                    continue;
                }
                Bands.Group group = group(g, confidence, points, declared, problems);
                g.finish();
                if (group != null) {
                    if (seen.containsKey(group.key())) {
                        g.problem(
                                "group",
                                "duplicate group \"" + group.key() + "\": already at " + seen.get(group.key()));
                    } else {
                        seen.put(group.key(), g.locOf("group"));
                        groups.put(group.key(), group);
                    }
                }
            }
        }
        if (problems.size() > before || confidence == null) {
            return null;
        }
        return new Bands(
                confidence, builtFrom, coverage < 0 ? null : coverage, width < 0 ? null : width, groups, points);
    }

    /** {@code sources:}: each source with the ratio of each of its points, by measurement id. */
    private static Map<String, Bands.Point> sources(Fields b, Set<String> declared, Problems problems) {
        Map<String, Bands.Point> points = new LinkedHashMap<>();
        Map<String, Yaml.Loc> seen = new HashMap<>();
        Yaml.ListNode list = b.list("sources", true);
        if (list == null) {
            return points;
        }
        for (int i = 0; i < list.items().size(); i++) {
            Fields s = Fields.of(list.items().get(i), "bands.sources[" + i + "]", problems);
            if (s == null) {
                continue;
            }
            String source = s.string("source");
            Fields ratios = s.map("ratios", true);
            s.finish();
            if (ratios == null) {
                continue;
            }
            for (String id : ratios.raw().entries().keySet()) {
                declared.add(id);
                Double r = ratios.number(id, 0.0001, 100, null);
                if (r == null || source == null) {
                    continue;
                }
                if (seen.containsKey(id)) {
                    ratios.problem(id, "duplicate measurement id \"" + id + "\": already at " + seen.get(id));
                    continue;
                }
                seen.put(id, ratios.locOf(id));
                points.put(id, new Bands.Point(id, source, r));
            }
            ratios.finish();
        }
        return points;
    }

    private static Bands.Group group(
            Fields g, double confidence, Map<String, Bands.Point> points, Set<String> declared, Problems problems) {
        int before = problems.size();
        String key = g.string("group");
        Double margin = g.number("margin", 0, 100, null);
        List<String> ids = g.strings("points", true);
        List<Double> ratios = new ArrayList<>();
        for (String id : ids) {
            Bands.Point p = points.get(id);
            if (p == null && declared.contains(id)) {
                continue; // its ratio is the problem, reported where it is
            } else if (p == null) {
                g.problem(
                        "points",
                        "unknown measurement id \"" + id + "\": no source in bands.sources lists it."
                                + Suggest.didYouMean(id, points.keySet()));
            } else {
                ratios.add(p.ratio());
            }
        }
        if (problems.size() > before || key == null || margin == null) {
            return null;
        }
        int min = Bands.minPoints(confidence);
        if (ids.size() < min) {
            g.problem(
                    "points",
                    "a group needs at least " + min + " points for a " + pct(confidence) + " band, \"" + key + "\" has "
                            + ids.size() + ". Maybe merge it into its parent group");
            return null;
        }
        long sources = ids.stream()
                .map(points::get)
                .filter(Objects::nonNull)
                .map(Bands.Point::source)
                .distinct()
                .count();
        if (ratios.size() == ids.size() && sources < Bands.MIN_SOURCES) {
            g.problem(
                    "points",
                    "a group needs points from at least " + Bands.MIN_SOURCES + " sources, \"" + key
                            + "\" has one (its points share one setup and its errors). Maybe merge it into its parent group");
            return null;
        }
        if (ratios.size() < ids.size()) {
            return null; // a point's ratio is unreadable, and said so where it is
        }
        double computed = Bands.margin(ratios, confidence);
        if (Math.abs(computed - margin) > TOLERANCE) {
            g.problem(
                    "margin",
                    String.format(
                            Locale.ROOT,
                            "%.4f does not follow from the group's %d points, which give %.4f."
                                    + " Maybe rebuild the file with: vramplan calibrate --bands --measurements FILE",
                            margin,
                            ids.size(),
                            computed));
            return null;
        }
        return new Bands.Group(key, margin, ids);
    }

    private static String pct(double confidence) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * confidence);
    }
}
