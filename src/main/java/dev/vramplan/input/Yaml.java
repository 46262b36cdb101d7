package dev.vramplan.input;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * A YAML document as a tree whose every node remembers where it stood in the file, so that a
 * check far from the parser can still name file, line and column. Jackson's own tree forgets
 * locations and silently keeps the last of two duplicate keys; this one keeps locations and
 * reports duplicates.
 */
public final class Yaml {
    // SnakeYAML refuses documents over 3 MB by default; no file read is larger than InputFiles allows, and a
    // UTF-8 file has no more code points than bytes
    private static final YAMLFactory FACTORY =
            YAMLFactory.builder().loaderOptions(loaderOptions()).build();
    private static final Pattern DOCUMENT_START = Pattern.compile("---(?:[ \t].*)?");

    private static LoaderOptions loaderOptions() {
        LoaderOptions o = new LoaderOptions();
        o.setCodePointLimit((int) InputFiles.MAX_BYTES);
        return o;
    }

    private Yaml() {}

    /** Where a node starts: a file as the user named it, 1-based line and column. */
    public record Loc(String file, int line, int column) {
        @Override
        public String toString() {
            return file + ":" + line + ":" + column;
        }
    }

    public sealed interface Node permits MapNode, ListNode, ScalarNode {
        Loc loc();

        /** A short name of the node's kind, for "expected a list, found a map" messages. */
        String kind();
    }

    public record MapNode(Loc loc, Map<String, Entry> entries) implements Node {
        public String kind() {
            return "a map";
        }
    }

    /** A key with its own location (unknown-field errors point at the key, not the value). */
    public record Entry(String key, Loc keyLoc, Node value) {}

    public record ListNode(Loc loc, List<Node> items) implements Node {
        public String kind() {
            return "a list";
        }
    }

    /** A scalar; {@code type} says how YAML read it: string, int, float, bool or null. */
    public record ScalarNode(Loc loc, String text, ScalarType type) implements Node {
        public String kind() {
            return switch (type) {
                case STRING -> "text";
                case INT -> "a whole number";
                case FLOAT -> "a number";
                case BOOL -> "true/false";
                case NULL -> "nothing (null)";
            };
        }
    }

    public enum ScalarType {
        STRING,
        INT,
        FLOAT,
        BOOL,
        NULL
    }

    /**
     * Reads one YAML file through {@link InputFiles}; {@code what} names its kind in the singular ("catalog file").
     * Problems of form (not a readable regular file of text, malformed YAML, duplicate keys, a second document)
     * go to {@code problems}; the result is then null.
     */
    public static Node read(Path file, String displayName, String what, Problems problems) {
        byte[] bytes;
        try {
            bytes = InputFiles.read(file, what);
        } catch (InputFiles.Unreadable e) {
            problems.add(new Loc(displayName, 1, 1), "", e.getMessage());
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            problems.add(new Loc(displayName, 1, 1), "", "is not UTF-8 text (is it a binary file?)");
            return null;
        }
        if (text.indexOf('\0') >= 0) {
            problems.add(new Loc(displayName, 1, 1), "", "is not text: it contains NUL bytes (is it a binary file?)");
            return null;
        }
        return parse(text, displayName, what, problems);
    }

    /** Parses YAML text; see {@link #read}. */
    public static Node parse(String text, String displayName, String what, Problems problems) {
        int before = problems.size();
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                problems.add(new Loc(displayName, 1, 1), "", "is empty");
                return null;
            }
            Node root = node(p, displayName, problems);
            secondDocument(p, text, displayName, what, problems);
            return problems.size() > before ? null : root;
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            int line = l == null ? 1 : Math.max(1, l.getLineNr());
            int col = l == null ? 1 : Math.max(1, l.getColumnNr());
            int tab = text.indexOf('\t');
            if (tab >= 0 && String.valueOf(e.getOriginalMessage()).contains("\\t")) {
                line = 1
                        + (int) text.substring(0, tab)
                                .chars()
                                .filter(ch -> ch == '\n')
                                .count();
                col = tab - text.lastIndexOf('\n', tab);
            }
            problems.add(new Loc(displayName, line, col), "", "malformed YAML: " + yamlReason(e, text, line));
            return null;
        } catch (IOException e) {
            problems.add(new Loc(displayName, 1, 1), "", "cannot be read: " + e.getMessage());
            return null;
        } catch (RuntimeException e) {
            // SnakeYAML throws its own unchecked exceptions for a few malformed inputs
            problems.add(
                    new Loc(displayName, 1, 1), "", "malformed YAML: " + firstLine(String.valueOf(e.getMessage())));
            return null;
        }
    }

    /**
     * A problem at the start of a second document, if the file holds one: the parser would read it as more
     * values after the first and we would silently drop it. An empty document (a trailing "---" or "...") is none.
     */
    private static void secondDocument(JsonParser p, String text, String file, String what, Problems problems)
            throws IOException {
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
            if ((t == JsonToken.VALUE_NULL || t == JsonToken.VALUE_STRING)
                    && p.getText().isEmpty()) {
                continue; // "---" with nothing after it: an empty document, nothing is lost
            }
            Loc at = loc(p, file);
            String[] lines = text.split("\n", -1);
            for (int i = Math.min(at.line(), lines.length); i >= 1; i--) {
                if (DOCUMENT_START.matcher(lines[i - 1].stripTrailing()).matches()) {
                    at = new Loc(file, i, 1);
                    break;
                }
            }
            problems.add(
                    at,
                    "",
                    "a second YAML document starts here; a " + what + " holds one document"
                            + " (remove the \"---\" line or move the rest to its own file)");
            return;
        }
    }

    private static Node node(JsonParser p, String file, Problems problems) throws IOException {
        JsonToken t = p.currentToken();
        Loc loc = loc(p, file);
        switch (t) {
            case START_OBJECT: {
                Map<String, Entry> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    Loc keyLoc = loc(p, file);
                    p.nextToken();
                    Node value = node(p, file, problems);
                    Entry prev = map.get(key);
                    if (prev != null) {
                        problems.add(
                                keyLoc,
                                key,
                                "duplicate key: \"" + key + "\" is already set at line "
                                        + prev.keyLoc().line());
                    } else {
                        map.put(key, new Entry(key, keyLoc, value));
                    }
                }
                return new MapNode(loc, map);
            }
            case START_ARRAY: {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(node(p, file, problems));
                }
                return new ListNode(loc, items);
            }
            case VALUE_STRING:
                return new ScalarNode(loc, p.getText(), ScalarType.STRING);
            case VALUE_NUMBER_INT:
                return new ScalarNode(loc, p.getText(), ScalarType.INT);
            case VALUE_NUMBER_FLOAT:
                return new ScalarNode(loc, p.getText(), ScalarType.FLOAT);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new ScalarNode(loc, p.getText(), ScalarType.BOOL);
            case VALUE_NULL:
                return new ScalarNode(loc, null, ScalarType.NULL);
            default:
                return new ScalarNode(loc, p.getText(), ScalarType.STRING);
        }
    }

    private static Loc loc(JsonParser p, String file) {
        JsonLocation l = p.currentTokenLocation();
        return new Loc(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }

    private static String yamlReason(JsonProcessingException e, String text, int line) {
        String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        String[] lines = text.split("\n", -1);
        if (line >= 1 && line <= lines.length && lines[line - 1].indexOf('\t') >= 0 || msg.contains("\\t")) {
            return "a tab character; YAML indents with spaces only";
        }
        // SnakeYAML's messages span several lines with a caret drawing and the reader's name; keep the sentences
        List<String> sentences = new ArrayList<>();
        for (String l : msg.split("\n")) {
            String t = l.trim();
            if (!t.isEmpty() && !l.startsWith(" ") && !t.startsWith("in 'reader'") && !t.startsWith("^")) {
                sentences.add(t);
            }
        }
        return sentences.isEmpty() ? "cannot be parsed" : String.join("; ", sentences);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
