package dev.vramplan.input;

import dev.vramplan.input.Yaml.ScalarNode;
import dev.vramplan.input.Yaml.ScalarType;
import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one place that turns a YAML scalar into a number. YAML writes whole numbers as {@code 1_000}, {@code 0x10},
 * {@code 0o17}, {@code 0b101}, {@code 017} (YAML 1.1 octal) and {@code +5}; Java's parsers take none of the
 * underscores or prefixes and throw, so every reader of numbers asks here instead.
 */
public final class YamlNumbers {
    // what the parser tags int (YAML 1.1, as SnakeYAML resolves it) plus YAML 1.2's 0o octal, which it leaves as text
    private static final Pattern BINARY = Pattern.compile("[-+]?0b[01_]+");
    private static final Pattern HEX = Pattern.compile("[-+]?0x[0-9a-fA-F_]+");
    private static final Pattern OCTAL_12 = Pattern.compile("[-+]?0o[0-7_]+");
    private static final Pattern OCTAL_11 = Pattern.compile("[-+]?0[0-7_]+");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(?:0|[1-9][0-9_]*)");
    /** YAML 1.1's base 60 ("1:30" is 90): an int to SnakeYAML, a string to Jackson, a typo to a planner. */
    private static final Pattern SEXAGESIMAL_WHOLE = Pattern.compile("[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+");

    private static final Pattern SEXAGESIMAL = Pattern.compile("[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(?:[0-9][0-9_]*)?\\.?[0-9_]*(?:[eE][-+]?[0-9]+)?");

    private YamlNumbers() {}

    /** The whole number the scalar writes, or null when it writes none we read (text, a fraction, base 60). */
    public static BigInteger whole(ScalarNode s) {
        if (s.type() != ScalarType.INT && s.type() != ScalarType.STRING || s.text() == null) {
            return null;
        }
        String t = s.text().trim();
        if (s.type() == ScalarType.STRING && !OCTAL_12.matcher(t).matches()) {
            // of text, only 0o17 is a number: the parser knows YAML 1.1, where it is not. It does not say whether the
            // text was quoted, so "0o17" in quotes reads as 15 too
            return null;
        }
        boolean negative = t.startsWith("-");
        String digits = t.startsWith("-") || t.startsWith("+") ? t.substring(1) : t;
        int radix;
        if (BINARY.matcher(t).matches()) {
            radix = 2;
            digits = digits.substring(2);
        } else if (HEX.matcher(t).matches()) {
            radix = 16;
            digits = digits.substring(2);
        } else if (OCTAL_12.matcher(t).matches()) {
            radix = 8;
            digits = digits.substring(2);
        } else if (OCTAL_11.matcher(t).matches()) {
            radix = 8;
        } else if (DECIMAL.matcher(t).matches()) {
            radix = 10;
        } else {
            return null;
        }
        digits = digits.replace("_", "");
        if (digits.isEmpty()) {
            return null;
        }
        BigInteger v = new BigInteger(digits, radix);
        return negative ? v.negate() : v;
    }

    /**
     * The number (whole or not) the scalar writes, or null when it writes none we read. YAML's {@code .inf} and
     * {@code .nan} are infinities and NaN, for range checks to refuse.
     */
    public static Double real(ScalarNode s) {
        BigInteger w = whole(s);
        if (w != null) {
            return w.doubleValue();
        }
        if (s.type() != ScalarType.FLOAT || s.text() == null) {
            return null;
        }
        String t = s.text().trim().toLowerCase(Locale.ROOT);
        if (t.equals(".inf") || t.equals("+.inf") || t.equals("-.inf")) {
            return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (t.equals(".nan")) {
            return Double.NaN;
        }
        if (!FLOAT.matcher(t).matches()) {
            return null; // base 60 ("1:30.5") and whatever else the parser may tag float
        }
        try {
            return Double.parseDouble(t.replace("_", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Whether YAML (1.1 or 1.2) reads the scalar as a whole number, so that one we cannot take is "not a whole
     * number" rather than text where a number was expected.
     */
    public static boolean looksWhole(ScalarNode s) {
        return s.type() == ScalarType.INT
                || s.type() == ScalarType.STRING
                        && s.text() != null
                        && (OCTAL_12.matcher(s.text().trim()).matches()
                                || SEXAGESIMAL_WHOLE.matcher(s.text().trim()).matches());
    }

    /** Whether YAML reads the scalar as a number, whole or not; see {@link #looksWhole}. */
    public static boolean looksNumeric(ScalarNode s) {
        return looksWhole(s)
                || s.type() == ScalarType.FLOAT
                || s.type() == ScalarType.STRING
                        && s.text() != null
                        && SEXAGESIMAL.matcher(s.text().trim()).matches();
    }

    /** A scalar as a plain value for free-form lists (YOLO layer arguments): Long, Double, Boolean, String or null. */
    public static Object value(ScalarNode s) {
        BigInteger w = whole(s);
        if (w != null) {
            return w.bitLength() < Long.SIZE
                    ? (Object) w.longValue()
                    : s.text(); // beyond long: text, which the checks refuse
        }
        return switch (s.type()) {
            case FLOAT -> {
                Double d = real(s);
                yield d == null || d.isNaN() || d.isInfinite() ? s.text() : d;
            }
            case BOOL -> Boolean.parseBoolean(s.text());
            case NULL -> null;
            default -> s.text();
        };
    }

    /** A whole number that fits an int, or null. */
    public static Integer smallWhole(ScalarNode s) {
        BigInteger w = whole(s);
        return w != null && w.bitLength() < Integer.SIZE ? w.intValue() : null;
    }
}
