package dev.vramplan.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How far above its estimate a job of each kind has been measured (catalog/bands.yaml, written by
 * {@code vramplan calibrate --bands}): for every measured point the ratio measured / estimate, and for every group of
 * points whose errors behave alike the margin that 90% of such jobs stay under.
 * <p>
 * The margin of a group is a split-conformal bound: with the group's n ratios sorted, the k-th smallest where
 * k = ⌈confidence·(n+1)⌉, less one, and never below 0. A new job drawn like the group's points needs at most
 * estimate·(1 + margin) with probability at least {@code confidence}. That rank exists only from
 * {@link #minPoints} points on (9 at 90%), and the points of one source share its setup and its errors, so a band
 * from one source says little about the next: a group needs {@link #minPoints} points from at least
 * {@link #MIN_SOURCES} sources, else it merges into its parent (see {@link BandGroups}). A group of fewer than
 * {@link #CHECKED_SOURCES} sources cannot be checked leave-one-source-out (leaving one out leaves one), so its band
 * widens its parent's and never narrows it ({@link #band}).
 *
 * @param confidence      the share of jobs the band's top covers, e.g. 0.9
 * @param builtFrom       the measurement file the points came from
 * @param coverage        what the builder measured leave-one-source-out: the share of points at or below a band
 *                        built without their source (null: not stated)
 * @param medianWidth     the median of those bands' margins (null: not stated)
 * @param groups          every group with enough points, by key
 * @param points          every point by measurement id
 */
public record Bands(
        double confidence,
        String builtFrom,
        Double coverage,
        Double medianWidth,
        Map<String, Group> groups,
        Map<String, Point> points) {
    /** No band data: estimates carry no margin. */
    public static final Bands NONE = new Bands(0.9, "", null, null, Map.of(), Map.of());
    /** The fewest sources a group's points come from. */
    public static final int MIN_SOURCES = 2;

    /**
     * The fewest sources of a group whose band is checked leave-one-source-out: leaving any one out still leaves
     * {@link #MIN_SOURCES}. A group of fewer has a band nothing has checked on a source it did not see.
     */
    public static final int CHECKED_SOURCES = MIN_SOURCES + 1;

    public Bands {
        if (!(confidence >= 0.5 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be at least 0.5 and below 1");
        }
        Map<String, Group> counted = new LinkedHashMap<>();
        for (Group g : groups.values()) {
            Set<String> sources = new HashSet<>();
            for (String id : g.ids()) {
                Point p = points.get(id);
                if (p != null) {
                    sources.add(p.source());
                }
            }
            counted.put(g.key(), new Group(g.key(), g.margin(), g.ids(), sources.size()));
        }
        groups = Collections.unmodifiableMap(counted);
        points = Collections.unmodifiableMap(new LinkedHashMap<>(points));
    }

    /**
     * One measured point.
     *
     * @param ratio measured bytes / estimated bytes of the same kind (peak allocated, reserved or device)
     */
    public record Point(String id, String source, double ratio) {
        public Point {
            if (!(ratio > 0) || ratio > 100) {
                throw new IllegalArgumentException("ratio must be above 0 and at most 100");
            }
        }
    }

    /**
     * A group: its key (e.g. "litgpt/train/lora"), its margin, the ids of the points it came from and how many sources
     * those are (counted by the {@link Bands} that holds it).
     */
    public record Group(String key, double margin, List<String> ids, int sources) {
        public Group {
            ids = List.copyOf(ids);
        }

        /** A group whose sources the bands it goes into count. */
        public Group(String key, double margin, List<String> ids) {
            this(key, margin, ids, 0);
        }
    }

    /** The fewest points whose conformal rank ⌈confidence·(n+1)⌉ is at most n: 9 at 90%. */
    public static int minPoints(double confidence) {
        int n = 1;
        while (rank(confidence, n) > n) {
            n++;
        }
        return n;
    }

    private static int rank(double confidence, int n) {
        // a hair below the product, so 0.9·10 is 9 and not 9.000000000000002
        return (int) Math.ceil(confidence * (n + 1) - 1e-9);
    }

    /** The group's margin from its ratios; null with fewer than {@link #minPoints} of them. */
    public static Double margin(List<Double> ratios, double confidence) {
        int n = ratios.size();
        int k = rank(confidence, n);
        if (k > n) {
            return null;
        }
        List<Double> sorted = new ArrayList<>(ratios);
        sorted.sort(Double::compare);
        return Math.max(0, sorted.get(k - 1) - 1);
    }

    /**
     * The band of a job whose group keys, finest first, are {@code chain}: the finest group with enough points, unless
     * it has fewer than {@link #CHECKED_SOURCES} sources: such a band may widen the one the rest of the chain gives,
     * never narrow it (its few sources say where errors are larger; that they are smaller elsewhere, nothing has
     * checked). Points of {@code leftOutSource} (null: none) are left out first, so a source never informs the band
     * it is checked against.
     */
    public Band band(List<String> chain, String leftOutSource) {
        for (int i = 0; i < chain.size(); i++) {
            String key = chain.get(i);
            Group g = groups.get(key);
            if (g == null) {
                continue;
            }
            Band own;
            int sources;
            if (leftOutSource == null) {
                own = new Band(confidence, key, g.ids().size(), g.margin());
                sources = g.sources();
            } else {
                List<Double> ratios = new ArrayList<>();
                Set<String> kept = new HashSet<>();
                for (String id : g.ids()) {
                    Point p = points.get(id);
                    if (!p.source().equals(leftOutSource)) {
                        ratios.add(p.ratio());
                        kept.add(p.source());
                    }
                }
                Double m = margin(ratios, confidence);
                if (m == null || kept.size() < MIN_SOURCES) {
                    continue;
                }
                own = new Band(confidence, key, ratios.size(), m);
                sources = kept.size();
            }
            if (sources >= CHECKED_SOURCES) {
                return own;
            }
            Band rest = band(chain.subList(i + 1, chain.size()), leftOutSource);
            return rest.margin() > own.margin() ? rest : own;
        }
        return Band.none(confidence);
    }
}
