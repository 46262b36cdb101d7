package dev.vramplan.rules;

import java.util.ArrayList;
import java.util.List;

/** DRL (or Java) source as tokens, for the sandbox's allow-list check: comments dropped, literals one token each. */
final class DrlTokens {
    private DrlTokens() {}

    enum Kind {
        IDENT,
        NUMBER,
        STRING,
        PUNCT
    }

    record Token(Kind kind, String text, int line, int col) {
        boolean is(String s) {
            return kind != Kind.STRING && text.equals(s);
        }
    }

    /** Tokens of DRL or Java source: comments dropped, string and character literals kept as one token each. */
    static List<Token> tokens(String s) {
        List<Token> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        int line = 1;
        int lineStart = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') {
                    i++;
                }
                i++;
                line++;
                lineStart = i;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                i += 2;
                while (i < n && !(s.charAt(i) == '*' && i + 1 < n && s.charAt(i + 1) == '/')) {
                    if (s.charAt(i) == '\n' || s.charAt(i) == '\r' && (i + 1 >= n || s.charAt(i + 1) != '\n')) {
                        line++;
                        lineStart = i + 1;
                    }
                    i++;
                }
                i = Math.min(n, i + 2);
            } else if (c == '"' || c == '\'') {
                int startCol = i - lineStart + 1;
                if (c == '"' && s.startsWith("\"\"\"", i)) {
                    // a text block: Java and MVEL do not agree where it ends, so it is refused, and what it holds is
                    // read as code
                    out.add(new Token(Kind.PUNCT, "\"\"\"", line, startCol));
                    i += 3;
                    continue;
                }
                i++;
                while (i < n) {
                    char d = s.charAt(i);
                    if (d == '\\' && i + 1 < n && s.charAt(i + 1) != '\n' && s.charAt(i + 1) != '\r') {
                        i += 2;
                        continue;
                    }
                    if (d == c) {
                        i++;
                        break;
                    }
                    if (d == '\n' || d == '\r') {
                        break; // an unterminated literal ends with its line, as in Java
                    }
                    i++;
                }
                out.add(new Token(Kind.STRING, String.valueOf(c), line, startCol));
            } else if (Character.isJavaIdentifierStart(c)) {
                int start = i;
                StringBuilder b = new StringBuilder();
                while (i < n && Character.isJavaIdentifierPart(s.charAt(i))) {
                    if (!Character.isIdentifierIgnorable(s.charAt(i))) {
                        b.append(s.charAt(i)); // Java ignores these inside names: Sys\u200Btem is System
                    }
                    i++;
                }
                out.add(new Token(Kind.IDENT, b.toString(), line, start - lineStart + 1));
            } else if (Character.isDigit(c)) {
                int start = i;
                while (i < n
                        && (Character.isLetterOrDigit(s.charAt(i))
                                || s.charAt(i) == '_'
                                || s.charAt(i) == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
                    i++;
                }
                out.add(new Token(Kind.NUMBER, s.substring(start, i), line, start - lineStart + 1));
            } else if (s.startsWith(".?", i)) {
                out.add(new Token(Kind.PUNCT, ".", line, i - lineStart + 1)); // MVEL's null-safe member access
                i += 2;
            } else {
                String p = s.startsWith("::", i) ? "::" : String.valueOf(c);
                out.add(new Token(Kind.PUNCT, p, line, i - lineStart + 1));
                i += p.length();
            }
        }
        return out;
    }
}
