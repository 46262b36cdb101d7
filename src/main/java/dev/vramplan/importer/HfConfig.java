package dev.vramplan.importer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vramplan.input.InvalidInputException;

/** The fields of a Hugging Face {@code config.json}, read by name with fallbacks; a missing required one is one line. */
final class HfConfig {
    private final JsonNode c;
    private final String file;

    HfConfig(JsonNode c, String file) {
        this.c = c;
        this.file = file;
    }

    InvalidInputException problem(String field, String message) {
        return new InvalidInputException(file + ":1:1: " + field + ": " + message);
    }

    int num(String... names) {
        for (String n : names) {
            JsonNode v = c.get(n);
            if (v != null && v.canConvertToInt()) {
                return v.asInt();
            }
        }
        throw problem(names[0], "is missing (a " + modelType() + " config has it)");
    }

    int num(int fallback, String... names) {
        for (String n : names) {
            JsonNode v = c.get(n);
            if (v != null && v.canConvertToInt()) {
                return v.asInt();
            }
        }
        return fallback;
    }

    boolean flag(String name, boolean fallback) {
        JsonNode v = c.get(name);
        return v != null && v.isBoolean() ? v.asBoolean() : fallback;
    }

    double real(String name, double fallback) {
        JsonNode v = c.get(name);
        return v != null && v.isNumber() ? v.asDouble() : fallback;
    }

    String modelType() {
        JsonNode t = c.get("model_type");
        return t == null ? "" : t.asText();
    }

    /** The raw field, or null. */
    JsonNode get(String name) {
        return c.get(name);
    }
}
