package dev.vramplan.input;

import dev.vramplan.input.Yaml.ListNode;
import dev.vramplan.input.Yaml.MapNode;
import dev.vramplan.input.Yaml.Node;
import dev.vramplan.input.Yaml.ScalarNode;
import dev.vramplan.input.Yaml.ScalarType;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the fields of one YAML map strictly. Every getter records the key it asked for; {@link #finish()}
 * then reports each key nobody asked for as unknown, with a suggestion among the keys that were asked for.
 * Problems are collected, never thrown, so one check reports all of them. A getter whose field is
 * wrong returns its fallback, so reading goes on.
 */
public final class Fields {
    private final MapNode map;
    private final String path;
    private final Problems problems;
    private final Set<String> known = new LinkedHashSet<>();

    public Fields(MapNode map, String path, Problems problems) {
        this.map = map;
        this.path = path;
        this.problems = problems;
    }

    /** A map node as Fields, or null (with a problem) when the node is something else. */
    public static Fields of(Node node, String path, Problems problems) {
        if (node instanceof MapNode m) {
            return new Fields(m, path, problems);
        }
        problems.add(node.loc(), path, "expected a map of fields, found " + node.kind());
        return null;
    }

    public Yaml.Loc loc() {
        return map.loc();
    }

    public String path() {
        return path;
    }

    public Problems problems() {
        return problems;
    }

    public String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public boolean has(String key) {
        known.add(key);
        Yaml.Entry e = map.entries().get(key);
        return e != null && !(e.value() instanceof ScalarNode s && s.type() == ScalarType.NULL);
    }

    /** The node of a key, or null when absent or null. */
    public Node node(String key) {
        return has(key) ? map.entries().get(key).value() : null;
    }

    /** Where the key's value is; the map itself if the key is absent. */
    public Yaml.Loc locOf(String key) {
        Node n = node(key);
        return n == null ? map.loc() : n.loc();
    }

    public void problem(String key, String message) {
        problems.add(locOf(key), path(key), message);
    }

    private Node required(String key) {
        Node n = node(key);
        if (n == null) {
            problems.add(map.loc(), path(key), "is required but missing");
        }
        return n;
    }

    private ScalarNode scalar(String key, Node n) {
        if (n instanceof ScalarNode s) {
            return s;
        }
        problems.add(n.loc(), path(key), "expected a single value, found " + n.kind());
        return null;
    }

    public String string(String key) {
        Node n = required(key);
        return n == null ? null : text(key, n);
    }

    public String string(String key, String fallback) {
        Node n = node(key);
        return n == null ? fallback : orElse(text(key, n), fallback);
    }

    private static <T> T orElse(T v, T fallback) {
        return v == null ? fallback : v;
    }

    private String text(String key, Node n) {
        ScalarNode s = scalar(key, n);
        if (s == null) {
            return null;
        }
        if (s.type() != ScalarType.STRING && s.type() != ScalarType.INT && s.type() != ScalarType.FLOAT) {
            problems.add(s.loc(), path(key), "expected text, found " + s.kind());
            return null;
        }
        if (s.text().isBlank()) {
            problems.add(s.loc(), path(key), "must not be empty");
            return null;
        }
        return s.text();
    }

    /** A whole number in [min, max]; {@code fallback} when absent or wrong. */
    public long integer(String key, long min, long max, Long fallback) {
        Node n = fallback == null ? required(key) : node(key);
        if (n == null) {
            return fallback == null ? min : fallback;
        }
        Long v = integerValue(key, n, min, max);
        return v == null ? (fallback == null ? min : fallback) : v;
    }

    /** An optional whole number: null when absent. */
    public Long optInteger(String key, long min, long max) {
        Node n = node(key);
        return n == null ? null : integerValue(key, n, min, max);
    }

    private Long integerValue(String key, Node n, long min, long max) {
        ScalarNode s = scalar(key, n);
        if (s == null) {
            return null;
        }
        BigInteger v = YamlNumbers.whole(s);
        if (v == null) {
            problems.add(
                    s.loc(),
                    path(key),
                    YamlNumbers.looksWhole(s)
                            ? "\"" + s.text() + "\" is not a whole number"
                            : "expected a whole number, found " + describe(s));
            return null;
        }
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            problems.add(s.loc(), path(key), s.text() + " is out of range: it must be between " + min + " and " + max);
            return null;
        }
        return v.longValue();
    }

    /** A number (whole or not) in [min, max]. */
    public Double number(String key, double min, double max, Double fallback) {
        Node n = fallback == null ? required(key) : node(key);
        if (n == null) {
            return fallback;
        }
        ScalarNode s = scalar(key, n);
        if (s == null) {
            return fallback;
        }
        Double v = YamlNumbers.real(s);
        if (v == null) {
            problems.add(
                    s.loc(),
                    path(key),
                    YamlNumbers.looksNumeric(s)
                            ? "\"" + s.text() + "\" is not a number"
                            : "expected a number, found " + describe(s));
            return fallback;
        }
        if (!(v >= min && v <= max)) { // NaN (YAML's .nan) is in no range
            problems.add(
                    s.loc(),
                    path(key),
                    s.text() + " is out of range: it must be between " + plain(min) + " and " + plain(max));
            return fallback;
        }
        return v;
    }

    public boolean bool(String key, boolean fallback) {
        Node n = node(key);
        if (n == null) {
            return fallback;
        }
        ScalarNode s = scalar(key, n);
        if (s == null) {
            return fallback;
        }
        if (s.type() != ScalarType.BOOL) {
            problems.add(s.loc(), path(key), "expected true or false, found " + describe(s));
            return fallback;
        }
        return Boolean.parseBoolean(s.text());
    }

    /** A size with a unit ("24 GiB"); see {@link Sizes}. Null when absent (and not required) or wrong. */
    public Long size(String key, boolean required) {
        Node n = required ? required(key) : node(key);
        if (n == null) {
            return null;
        }
        ScalarNode s = scalar(key, n);
        if (s == null) {
            return null;
        }
        try {
            return Sizes.parse(s.text());
        } catch (IllegalArgumentException e) {
            problems.add(s.loc(), path(key), e.getMessage());
            return null;
        }
    }

    /** One of a closed set of names, e.g. an enum's names. */
    public <E> E choice(String key, List<String> names, Function<String, E> byName, E fallback) {
        Node n = fallback == null ? required(key) : node(key);
        if (n == null) {
            return fallback;
        }
        String v = text(key, n);
        if (v == null) {
            return fallback;
        }
        E e = byName.apply(v);
        if (e == null) {
            problems.add(
                    n.loc(),
                    path(key),
                    "\"" + v + "\" is not one of " + String.join(", ", names) + "." + Suggest.didYouMean(v, names));
            return fallback;
        }
        return e;
    }

    /** A list node (null when absent; a problem when required or not a list). */
    public ListNode list(String key, boolean required) {
        Node n = required ? required(key) : node(key);
        if (n == null) {
            return null;
        }
        if (n instanceof ListNode l) {
            return l;
        }
        problems.add(n.loc(), path(key), "expected a list, found " + n.kind());
        return null;
    }

    /** A nested map as Fields (null when absent; a problem when required or not a map). */
    public Fields map(String key, boolean required) {
        Node n = required ? required(key) : node(key);
        if (n == null) {
            return null;
        }
        return Fields.of(n, path(key), problems);
    }

    /** Reports every key of the map that no getter asked for. */
    public void finish() {
        for (Yaml.Entry e : map.entries().values()) {
            if (!known.contains(e.key())) {
                problems.add(
                        e.keyLoc(),
                        path(e.key()),
                        "unknown field." + Suggest.didYouMean(e.key(), known)
                                + (Suggest.closest(e.key(), known) == null
                                        ? " Known fields: " + String.join(", ", known)
                                        : ""));
            }
        }
    }

    /** The raw map, for readers that walk free-form structure (YOLO layer lists). */
    public MapNode raw() {
        return map;
    }

    static String describe(ScalarNode s) {
        return s.type() == ScalarType.STRING
                ? "\"" + s.text() + "\""
                : s.kind() + " " + (s.text() == null ? "null" : s.text());
    }

    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.format(Locale.ROOT, "%s", d);
    }

    /** Items of a list as strings; problems for non-scalars. */
    public List<String> strings(String key, boolean required) {
        ListNode l = list(key, required);
        List<String> out = new ArrayList<>();
        if (l == null) {
            return out;
        }
        for (int i = 0; i < l.items().size(); i++) {
            Node n = l.items().get(i);
            String v = text(key + "[" + i + "]", n);
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    /** A list of names of a closed set (precisions): each wrong item is reported, repeats are dropped, order kept. */
    public <E extends Enum<E> & Named> List<E> names(String key, boolean required, Class<E> type) {
        List<E> out = new ArrayList<>();
        ListNode l = list(key, required);
        if (l == null) {
            return out;
        }
        List<String> ids = Named.ids(type);
        for (int i = 0; i < l.items().size(); i++) {
            Node n = l.items().get(i);
            String v = n instanceof ScalarNode s ? s.text() : null;
            E e = v == null ? null : Named.byId(type, v);
            if (e == null) {
                problems.add(
                        n.loc(),
                        path(key + "[" + i + "]"),
                        (v == null ? "expected a precision name" : "\"" + v + "\" is not a precision") + ": one of "
                                + String.join(", ", ids) + "." + Suggest.didYouMean(v, ids));
            } else if (!out.contains(e)) {
                out.add(e);
            }
        }
        return out;
    }
}
