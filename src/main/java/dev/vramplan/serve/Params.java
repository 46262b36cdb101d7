package dev.vramplan.serve;

import dev.vramplan.answer.FieldError;
import dev.vramplan.input.Suggest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The query parameters of one request, checked against those its endpoint takes: an unknown or repeated parameter,
 * a missing one or a number that is not one is a {@link FieldError} (400) naming it, with did-you-mean.
 */
final class Params {
    private final Map<String, String> values;

    private Params(Map<String, String> values) {
        this.values = values;
    }

    /** Parses {@code a=1&b=x}; every name must be one of {@code known}. */
    static Params parse(String rawQuery, List<String> known) {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq), "a parameter name");
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
                if (!known.contains(name)) {
                    throw FieldError.bad(
                            name,
                            name,
                            "unknown parameter"
                                    + (known.isEmpty()
                                            ? ": this endpoint takes none"
                                            : ": this endpoint takes " + String.join(", ", known))
                                    + ".",
                            Suggest.closest(name, known));
                }
                if (values.put(name, value) != null) {
                    throw FieldError.bad(name, name, "given twice: give it once", null);
                }
            }
        }
        return new Params(values);
    }

    private static String decode(String s, String what) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw FieldError.bad(what, what, "not URL-encoded text: " + e.getMessage(), null);
        }
    }

    /** The value, or null when absent or empty. */
    String text(String name) {
        String v = values.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    String required(String name) {
        String v = text(name);
        if (v == null) {
            throw FieldError.bad(name, name, "required: give " + name + "=", null);
        }
        return v;
    }

    Long number(String name) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw FieldError.bad(name, name, "\"" + v + "\" is not a whole number", null);
        }
    }

    Double decimal(String name) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(v.strip());
            if (!Double.isFinite(d)) {
                throw new NumberFormatException(v);
            }
            return d;
        } catch (NumberFormatException e) {
            throw FieldError.bad(name, name, "\"" + v + "\" is not a number", null);
        }
    }

    Integer integer(String name) {
        Long v = number(name);
        if (v == null) {
            return null;
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw FieldError.bad(name, name, v + " is out of range", null);
        }
        return v.intValue();
    }

    int requiredInteger(String name) {
        required(name);
        return integer(name);
    }

    long requiredNumber(String name) {
        required(name);
        return number(name);
    }

    /** A switch: absent is false; present empty, "true" or "1" is true; "false" or "0" is false. */
    boolean flag(String name) {
        String v = values.get(name);
        if (v == null || v.equalsIgnoreCase("false") || v.equals("0")) {
            return false;
        }
        if (v.isEmpty() || v.equalsIgnoreCase("true") || v.equals("1")) {
            return true;
        }
        throw FieldError.bad(
                name, name, "\"" + v + "\" is not true or false", Suggest.closest(v, List.of("true", "false")));
    }
}
