package dev.vramplan.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.vramplan.estimate.Component;
import dev.vramplan.plan.Decision;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * A cell's JSON columns: its memory breakdown, and its decision trail as stored in {@code plan_cell.trail}: a JSON array with one array per decision,
 * {@code [kind, precision, resolution_px, seq_len_tokens, batch_size, device_bytes, rule_name, reason]}
 * (nulls where a decision has no such value), and a ninth entry, the layout ("8 × zero3"), for a decision on several cards. Written with a StringBuilder and read with Jackson's streaming API: a large
 * run writes one per cell.
 */
final class TrailJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final String[] KINDS = Arrays.stream(Decision.Kind.values())
            .map(k -> k.name().toLowerCase(Locale.ROOT))
            .toArray(String[]::new);

    private TrailJson() {}

    /**
     * The trail as JSON. Rule names and reasons are written as numbers from {@code texts}, which grows as new ones
     * come: a run's reasons recur from cell to cell (the same card and model give the same "needs 7.87 GiB, the card
     * has 7.66 GiB"; the 200,000-cell bench has 60,061 distinct reasons in 3.6 million decisions), and numbered its
     * trails take 195 MB instead of 313. Trails written before numbered only the reasons of decisions about no
     * candidate; {@link #read} takes a string or a number in either place.
     */
    static String write(List<Decision> trail, Texts texts) {
        // a StringBuilder, not a JSON generator: a large run writes one trail per cell, and a generator's set-up and
        // buffer recycling cost more than the few numbers and strings of a trail (read() parses what this writes)
        StringBuilder out = new StringBuilder(64 + 100 * trail.size());
        out.append('[');
        for (int i = 0; i < trail.size(); i++) {
            Decision d = trail.get(i);
            if (i > 0) {
                out.append(',');
            }
            out.append('[');
            string(out, KINDS[d.kind().ordinal()]).append(',');
            string(out, d.precision()).append(',');
            number(out, d.resolutionPx()).append(',');
            number(out, d.seqLenTokens()).append(',');
            number(out, d.batch()).append(',');
            number(out, d.deviceBytes()).append(',');
            out.append(texts.id(d.rule())).append(',').append(texts.id(d.reason()));
            if (d.layout() != null) {
                string(out.append(','), d.layout());
            }
            out.append(']');
        }
        return out.append(']').toString();
    }

    /** A JSON string, escaped by Jackson's own encoder (the one its generators use). */
    static StringBuilder string(StringBuilder out, String v) {
        if (v == null) {
            return out.append("null");
        }
        out.append('"');
        if (plain(v)) {
            out.append(v); // nothing to escape (nearly always): one copy, where the encoder appends char by char
        } else {
            JsonStringEncoder.getInstance().quoteAsString(v, out);
        }
        return out.append('"');
    }

    /** Whether JSON writes {@code v} as it is: no quote, backslash or control character. */
    private static boolean plain(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static StringBuilder number(StringBuilder out, Number v) {
        return v == null ? out.append("null") : out.append(v.longValue());
    }

    /** A run's recurring texts, numbered in the order they first appear; {@link #fresh()} lists those not yet stored. */
    static final class Texts {
        private final Map<String, Integer> ids = new HashMap<>();
        private final List<String> fresh = new ArrayList<>();

        int id(String text) {
            Integer id = ids.get(text);
            if (id == null) {
                id = ids.size();
                ids.put(text, id);
                fresh.add(text);
            }
            return id;
        }

        /** Texts numbered since the last call, in number order starting at {@code next - fresh.size()}. */
        List<String> fresh() {
            List<String> out = List.copyOf(fresh);
            fresh.clear();
            return out;
        }

        int size() {
            return ids.size();
        }
    }

    /** A memory breakdown as {@code {"weights": bytes, ...}} in component order. */
    static String breakdown(Map<Component, Long> breakdown) {
        StringBuilder out = new StringBuilder(256).append('{');
        for (var e : breakdown.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            string(out, e.getKey().id()).append(':').append(e.getValue().longValue());
        }
        return out.append('}').toString();
    }

    /** A breakdown written by {@link #breakdown}, in its order. */
    static LinkedHashMap<String, Long> readBreakdown(String json) {
        LinkedHashMap<String, Long> out = new LinkedHashMap<>();
        try (JsonParser p = FACTORY.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                expect(p.nextToken(), JsonToken.VALUE_NUMBER_INT);
                out.put(name, p.getLongValue());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return out;
    }

    /** The trail, or an exception naming what is wrong (a stored value someone edited by hand). */
    static List<Decision> read(String json, IntFunction<String> texts) {
        List<Decision> out = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_ARRAY);
            while (p.nextToken() == JsonToken.START_ARRAY) {
                Object[] v = new Object[8];
                for (int i = 0; i < 8; i++) {
                    JsonToken t = p.nextToken();
                    v[i] = t == JsonToken.VALUE_NULL
                            ? null
                            : t == JsonToken.VALUE_NUMBER_INT
                                    ? (Object) p.getLongValue()
                                    : t == JsonToken.VALUE_STRING ? p.getText() : fail(t);
                }
                // a ninth entry: the layout of a decision on several cards (version 4)
                JsonToken next = p.nextToken();
                String layout = null;
                if (next == JsonToken.VALUE_STRING) {
                    layout = p.getText();
                    next = p.nextToken();
                }
                expect(next, JsonToken.END_ARRAY);
                out.add(new Decision(
                        Decision.Kind.valueOf(((String) v[0]).toUpperCase(Locale.ROOT)),
                        (String) v[1],
                        integer(v[2]),
                        integer(v[3]),
                        integer(v[4]),
                        (Long) v[5],
                        text(v[6], texts),
                        text(v[7], texts),
                        layout));
            }
        } catch (IOException | ClassCastException | IllegalArgumentException e) {
            throw new IllegalArgumentException("a stored decision trail is not readable: " + e.getMessage(), e);
        }
        return out;
    }

    /** The numbers of the run's texts a stored trail refers to, added to {@code ids}. */
    static void textIds(String json, Set<Integer> ids) {
        read(json, id -> {
            ids.add(id);
            return "";
        });
    }

    private static String text(Object v, IntFunction<String> texts) {
        if (v instanceof Long id) {
            String t = texts.apply(Math.toIntExact(id));
            if (t == null) {
                throw new IllegalArgumentException("text " + id + " of the run is missing");
            }
            return t;
        }
        return (String) v;
    }

    private static Integer integer(Object v) {
        return v == null ? null : Math.toIntExact((Long) v);
    }

    private static void expect(JsonToken got, JsonToken want) throws IOException {
        if (got != want) {
            throw new IOException("expected " + want + ", found " + got);
        }
    }

    private static Object fail(JsonToken t) throws IOException {
        throw new IOException("unexpected " + t);
    }
}
