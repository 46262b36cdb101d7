package dev.vramplan.input;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory sizes as people write them: a number and a unit. B, KB, MB, GB, TB are powers of 1000
 * (what vendors sell and what LitGPT and Ultralytics print); KiB, MiB, GiB, TiB powers of 1024
 * (what programs see). A size without a unit is refused: "24" could be either.
 */
public final class Sizes {
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("B", 1L),
            Map.entry("KB", 1_000L),
            Map.entry("MB", 1_000_000L),
            Map.entry("GB", 1_000_000_000L),
            Map.entry("TB", 1_000_000_000_000L),
            Map.entry("KiB", 1L << 10),
            Map.entry("MiB", 1L << 20),
            Map.entry("GiB", 1L << 30),
            Map.entry("TiB", 1L << 40));
    private static final List<String> UNIT_NAMES = List.of("B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB");
    private static final Pattern SIZE = Pattern.compile("\\s*([-+]?[0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z]*)\\s*");

    /** The largest size we accept anywhere: 1 PiB. Larger is a typo, not a GPU. */
    public static final long MAX_BYTES = 1L << 50;

    private Sizes() {}

    /** Bytes, or an exception whose message completes "…: " (e.g. {@code "24 GiG" is not a size. Maybe "24 GiB"?}). */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    quote(text) + " is not a size: write a number and a unit, e.g. \"24 GiB\"");
        }
        String unit = m.group(2);
        if (unit.isEmpty()) {
            throw new IllegalArgumentException(quote(text) + " has no unit: write e.g. \"" + m.group(1)
                    + " GiB\" (1024-based) or \"" + m.group(1) + " GB\" (1000-based)");
        }
        Long factor = UNITS.get(unit);
        if (factor == null) {
            String s = Suggest.closest(unit, UNIT_NAMES);
            throw new IllegalArgumentException(quote(text) + " is not a size."
                    + (s == null
                            ? " Units: " + String.join(", ", UNIT_NAMES)
                            : " Maybe \"" + m.group(1) + " " + s + "\"?"));
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor));
        if (bytes.signum() <= 0) {
            throw new IllegalArgumentException(quote(text) + " must be more than zero");
        }
        if (bytes.compareTo(BigDecimal.valueOf(MAX_BYTES)) > 0) {
            throw new IllegalArgumentException(quote(text) + " is larger than any device (1 PiB at most)");
        }
        return bytes.longValue();
    }

    /** A size for people: 1024-based with two decimals, e.g. "13.27 GiB". */
    public static String human(long bytes) {
        double b = bytes;
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (Math.abs(b) >= 1024 && u < units.length - 1) {
            b /= 1024;
            u++;
        }
        if (u == 0) {
            return bytes + " B";
        }
        return twoDecimals(b) + " " + units[u];
    }

    /**
     * A size that may be beyond a long (what an absurd configuration would need), 1024-based with two decimals up to
     * YiB, e.g. "2.25 EiB"; whole bytes below 1 KiB.
     */
    public static String humanBeyondLong(double bytes) {
        if (!Double.isFinite(bytes)) {
            return "more than any number of bytes";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
        double b = bytes;
        int u = 0;
        while (Math.abs(b) >= 1024 && u < units.length - 1) {
            b /= 1024;
            u++;
        }
        return u == 0 ? (long) Math.ceil(b) + " B" : twoDecimals(b) + " " + units[u];
    }

    /**
     * What {@code String.format("%.2f", v)} prints (half-up on the shortest decimal form of the double), without a
     * Formatter per call: rules format a size for every candidate they reject.
     */
    static String twoDecimals(double v) {
        String s = Double.toString(v);
        int dot = s.indexOf('.');
        if (v < 0 || dot < 0 || s.indexOf('E') >= 0 || dot > 15) {
            return new BigDecimal(s).setScale(2, RoundingMode.HALF_UP).toPlainString();
        }
        long hundredths = Long.parseLong(s, 0, dot, 10) * 100;
        int frac = s.length() - dot - 1;
        hundredths += frac >= 1 ? (s.charAt(dot + 1) - '0') * 10 : 0;
        hundredths += frac >= 2 ? s.charAt(dot + 2) - '0' : 0;
        if (frac >= 3 && s.charAt(dot + 3) >= '5') {
            hundredths++;
        }
        long cents = hundredths % 100;
        return (hundredths / 100) + (cents < 10 ? ".0" : ".") + cents;
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
