package dev.vramplan.rules;

import dev.vramplan.input.Shown;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a rule may do, checked on the DRL source before Drools compiles it. A rule's {@code then} is Java and its
 * conditions may call methods, and teams share rules through repositories and plan pull requests in CI: so a rule
 * may insert decisions and call the documented helpers, nothing else. The check is an allow-list over the tokens
 * of the source with comments and string literals taken out:
 * <ul>
 *   <li>a name that starts a call or a member access ({@code X.y}, {@code X.y(…)}) is a {@code $}-variable, one of the
 *       fact and helper types, {@code Math} or {@code String} (in conditions also a fact's field and {@code this});
 *   <li>a method called on a value is a fact's getter or one of a few read-only {@code String}/{@code Set} methods, and
 *       a property read after a dot a fact's field (MVEL turns {@code x.name} into a call); a static method is a
 *       documented helper ({@code Rejection.of}, {@code Setting.*}, {@code Choice.of}, {@code Accumulation.keep},
 *       {@code Sizes.human}), {@code Math.*}, {@code String.valueOf/join};
 *   <li>a call without a receiver is {@code insert}/{@code insertLogical} in a {@code then}, and in conditions a
 *       pattern, a conditional element ({@code not}, {@code exists}, {@code eval}, {@code accumulate}, …), an
 *       accumulate function or a fact's method;
 *   <li>Java keywords other than {@code if else return true false null instanceof final this} and the primitive
 *       types are refused: no loops, no {@code new}, no {@code try}/{@code throw}/{@code synchronized};
 *   <li>a file holds {@code package}, {@code import} of the fact and helper types, and rules: no {@code function},
 *       {@code global}, {@code declare}, {@code query}; no {@code \\u} escapes (Java reads them before comments and
 *       strings end) and no text blocks (MVEL would end them elsewhere than Java).
 * </ul>
 * Anything else is reported as {@code file:line:column: rule "NAME": … is not allowed in a rule (…)}.
 */
final class Sandbox {
    static final String WHY = " is not allowed in a rule (a rule may insert decisions and call the documented helpers)";

    /**
     * @param problems  one line per refused construct
     * @param ruleFiles the file (as shown) of every rule, by name
     * @param objective whether some rule's then inserts {@code Choice.of(…)}
     */
    record Report(List<String> problems, Map<String, String> ruleFiles, boolean objective) {
    }

    /** Types whose static methods and fields a rule may use, with the static methods allowed (null: all of them). */
    private static final Map<String, Set<String>> CLASSES = new HashMap<>();
    /** Methods a rule may call on a value: the facts' own methods and read-only String, Set and Number methods. */
    private static final Set<String> METHODS = new HashSet<>(Set.of("equals", "equalsIgnoreCase", "compareTo", "hashCode",
            "toString", "length", "isEmpty", "isBlank", "startsWith", "endsWith", "contains", "containsAll", "indexOf",
            "lastIndexOf", "charAt", "substring", "toLowerCase", "toUpperCase", "trim", "strip", "concat", "size",
            "intValue", "longValue", "doubleValue"));
    /** Fields of the facts: in conditions a constraint may start with one ({@code reason.length() > 10}). */
    private static final Set<String> FIELDS = new HashSet<>();
    /** Names a rule may read after a dot: the facts' fields, text and number properties, the helpers' constants. */
    private static final Set<String> PROPERTIES = new HashSet<>(Set.of("length", "empty", "blank", "size", "PI", "E"));
    /** Calls without a receiver in conditions: conditional elements, accumulate functions, operators that take a list. */
    private static final Set<String> CONDITION_CALLS = Set.of("not", "exists", "forall", "eval", "accumulate", "acc",
            "collect", "from", "in", "count", "sum", "min", "max", "average", "collectList", "collectSet");
    /** Calls without a receiver in a then. */
    private static final Set<String> THEN_CALLS = Set.of("insert", "insertLogical");
    private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case", "catch",
            "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally",
            "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native", "new",
            "package", "private", "protected", "public", "return", "short", "static", "strictfp", "super", "switch",
            "synchronized", "this", "throw", "throws", "transient", "try", "void", "volatile", "while", "true", "false",
            "null", "var", "yield", "record", "sealed", "permits");
    private static final Set<String> ALLOWED_KEYWORDS = Set.of("if", "else", "return", "true", "false", "null",
            "instanceof", "final", "this", "boolean", "byte", "char", "short", "int", "long", "float", "double", "var");
    /** Rule attributes that schedule firings on a timer thread, outside the cell's planning. */
    private static final Set<String> TIMED = Set.of("timer", "duration", "calendars");
    /** What DRL allows at the top of a file besides package, import and rule: refused. */
    private static final Set<String> REFUSED_TOP = Set.of("function", "global", "declare", "query", "unit", "template");
    private static final Set<String> IMPORTS = new HashSet<>(Set.of("dev.vramplan.rules.*", "dev.vramplan.input.Sizes",
            "java.lang.Math", "java.lang.String"));

    static {
        for (Map.Entry<String, Class<?>> f : Linter.FACTS.entrySet()) {
            Set<String> statics = new HashSet<>();
            for (Method m : f.getValue().getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                if (Modifier.isStatic(m.getModifiers())) {
                    statics.add(m.getName());
                } else {
                    METHODS.add(m.getName());
                    String n = m.getName();
                    if (m.getParameterCount() == 0 && n.startsWith("get") && n.length() > 3) {
                        FIELDS.add(Character.toLowerCase(n.charAt(3)) + n.substring(4));
                    } else if (m.getParameterCount() == 0 && n.startsWith("is") && n.length() > 2) {
                        FIELDS.add(Character.toLowerCase(n.charAt(2)) + n.substring(3));
                    }
                }
            }
            CLASSES.put(f.getKey(), statics);
            IMPORTS.add(f.getValue().getName());
        }
        PROPERTIES.addAll(FIELDS);
        for (Class<?> c : List.of(Setting.class, dev.vramplan.input.Sizes.class)) {
            for (java.lang.reflect.Field field : c.getFields()) {
                PROPERTIES.add(field.getName());
            }
        }
        CLASSES.put("Sizes", Set.of("human"));
        CLASSES.put("Math", null);
        CLASSES.put("String", Set.of("valueOf", "join"));
    }

    private static final java.util.regex.Pattern UNICODE_ESCAPE = java.util.regex.Pattern.compile("\\\\u+[0-9a-fA-F]{4}");

    private Sandbox() {
    }

    enum Kind { IDENT, NUMBER, STRING, PUNCT }

    record Token(Kind kind, String text, int line, int col) {
        boolean is(String s) {
            return kind != Kind.STRING && text.equals(s);
        }
    }

    /** Checks every file; the problems come in file order, at most one per rule. */
    static Report check(Map<Path, String> files) {
        List<String> problems = new ArrayList<>();
        Map<String, String> ruleFiles = new LinkedHashMap<>();
        boolean[] objective = {false};
        for (Map.Entry<Path, String> f : files.entrySet()) {
            String shown = Shown.path(f.getKey());
            new FileCheck(shown, f.getValue(), problems, ruleFiles, objective).run();
        }
        return new Report(problems, ruleFiles, objective[0]);
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
                        break;   // an unterminated literal ends with its line, as in Java
                    }
                    i++;
                }
                out.add(new Token(Kind.STRING, String.valueOf(c), line, startCol));
            } else if (Character.isJavaIdentifierStart(c)) {
                int start = i;
                StringBuilder b = new StringBuilder();
                while (i < n && Character.isJavaIdentifierPart(s.charAt(i))) {
                    if (!Character.isIdentifierIgnorable(s.charAt(i))) {
                        b.append(s.charAt(i));   // Java ignores these inside names: Sys\u200Btem is System
                    }
                    i++;
                }
                out.add(new Token(Kind.IDENT, b.toString(), line, start - lineStart + 1));
            } else if (Character.isDigit(c)) {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_'
                        || s.charAt(i) == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
                    i++;
                }
                out.add(new Token(Kind.NUMBER, s.substring(start, i), line, start - lineStart + 1));
            } else if (s.startsWith(".?", i)) {
                out.add(new Token(Kind.PUNCT, ".", line, i - lineStart + 1));   // MVEL's null-safe member access
                i += 2;
            } else {
                String p = s.startsWith("::", i) ? "::" : String.valueOf(c);
                out.add(new Token(Kind.PUNCT, p, line, i - lineStart + 1));
                i += p.length();
            }
        }
        return out;
    }

    /** One file: its top level (package, imports, rules), then each rule's tokens. */
    private static final class FileCheck {
        final String shown;
        final String text;
        final List<String> problems;
        final Map<String, String> ruleFiles;
        final boolean[] objective;
        final List<Token> t;
        /** The file's lines, once a rule name needs them. */
        String[] lines;

        FileCheck(String shown, String text, List<String> problems, Map<String, String> ruleFiles, boolean[] objective) {
            this.shown = shown;
            this.text = text;
            this.problems = problems;
            this.ruleFiles = ruleFiles;
            this.objective = objective;
            this.t = tokens(text);
        }

        void run() {
            unicodeEscapes();
            int i = 0;
            while (i < t.size()) {
                Token k = t.get(i);
                if (k.is("package")) {
                    i = skipName(i + 1);
                } else if (k.is("import")) {
                    i = importAt(i);
                } else if (k.is("rule")) {
                    i = rule(i);
                } else if (k.is(";")) {
                    i++;
                } else if (REFUSED_TOP.contains(k.text()) && k.kind() == Kind.IDENT) {
                    // function f(...), global T name, declare T, query "q": shown with the names that follow
                    StringBuilder what = new StringBuilder(k.text());
                    for (int j = i + 1; j < t.size() && j < i + 8 && (t.get(j).kind() == Kind.IDENT || t.get(j).is(".")); j++) {
                        what.append(t.get(j).is(".") || t.get(j - 1).is(".") ? "" : " ").append(t.get(j).text());
                    }
                    problems.add(at(k) + what + " is not allowed in a rule file (a rule file holds package, import and rule;"
                            + " a rule may insert decisions and call the documented helpers)");
                    i = nextTopLevel(i + 1);
                } else {
                    // package-level attributes (dialect "java", salience (...)): checked like a rule's attributes
                    int next = nextTopLevel(i + 1);
                    new RuleCheck(this, null, i, -1, -1, next).run();
                    i = next;
                }
            }
        }

        private String at(Token k) {
            return shown + ":" + k.line() + ":" + k.col() + ": ";
        }

        private void unicodeEscapes() {
            java.util.regex.Matcher m = UNICODE_ESCAPE.matcher(text);
            if (m.find()) {
                int line = 1;
                int lineStart = 0;
                for (int j = 0; j < m.start(); j++) {
                    char c = text.charAt(j);
                    if (c == '\n' || c == '\r' && (j + 1 >= text.length() || text.charAt(j + 1) != '\n')) {
                        line++;
                        lineStart = j + 1;
                    }
                }
                problems.add(shown + ":" + line + ":" + (m.start() - lineStart + 1) + ": " + m.group()
                        + " (a Unicode escape) is not allowed in a rule file: Java reads it as code even in comments and"
                        + " strings. Write the character itself");
            }
        }

        private int skipName(int i) {
            while (i < t.size() && (t.get(i).kind() == Kind.IDENT && !isTopLevel(t.get(i)) || t.get(i).is(".") || t.get(i).is("*"))) {
                i++;
            }
            return i;
        }

        private static boolean isTopLevel(Token k) {
            return k.kind() == Kind.IDENT && (k.text().equals("package") || k.text().equals("import") || k.text().equals("rule")
                    || REFUSED_TOP.contains(k.text()));
        }

        private int nextTopLevel(int i) {
            while (i < t.size() && !isTopLevel(t.get(i))) {
                i++;
            }
            return i;
        }

        private int importAt(int i) {
            Token k = t.get(i);
            int first = i + 1;
            StringBuilder name = new StringBuilder();
            if (first < t.size() && Set.of("function", "static", "accumulate").contains(t.get(first).text())) {
                name.append(t.get(first).text()).append(' ');   // import function/static/accumulate: never allowed
                first++;
            }
            int end = skipName(first);
            for (int j = first; j < end; j++) {
                name.append(t.get(j).text());
                if (j + 1 < end && t.get(j).kind() == Kind.IDENT && t.get(j + 1).kind() == Kind.IDENT) {
                    name.append(' ');
                }
            }
            if (!IMPORTS.contains(name.toString())) {
                problems.add(at(k) + "import " + name + " is not allowed in a rule file (rules may import the fact types"
                        + " and helpers: dev.vramplan.rules.* and dev.vramplan.input.Sizes)");
            }
            return end;
        }

        /**
         * A rule: from {@code rule} to its {@code end}; returns the index after it. Like Drools, a then ends at the
         * {@code end} that the file's end or the next rule, import, function… follows: a local named {@code end} in a
         * then does not end it.
         */
        private int rule(int i) {
            int start = i;
            i++;
            String name = "?";
            if (i < t.size() && (t.get(i).kind() == Kind.STRING || t.get(i).kind() == Kind.IDENT)) {
                name = t.get(i).kind() == Kind.STRING ? ruleName(t.get(i)) : t.get(i).text();
                i++;
            }
            ruleFiles.putIfAbsent(name, shown);
            int when = -1;
            int then = -1;
            int end = t.size();
            for (int j = i; j < t.size(); j++) {
                Token k = t.get(j);
                if (when < 0 && then < 0 && k.is("when")) {
                    when = j;
                } else if (then < 0 && k.is("then")) {
                    then = j;
                } else if (k.is("end") && (then < 0 && when >= 0 || then >= 0 && (j + 1 == t.size() || isTopLevel(t.get(j + 1))))) {
                    end = j;
                    break;
                }
            }
            new RuleCheck(this, name, i, when, then, end).run();
            return end + 1 > start ? end + 1 : start + 1;
        }

        /** The rule's name as written between quotes. */
        private String ruleName(Token k) {
            if (lines == null) {
                lines = text.split("\r\n|\r|\n", -1);
            }
            String line = lines[k.line() - 1];
            int from = k.col();
            int to = from;
            char q = line.charAt(k.col() - 1);
            while (to < line.length() && line.charAt(to) != q) {
                to += line.charAt(to) == '\\' ? 2 : 1;
            }
            return line.substring(from, Math.min(to, line.length()));
        }
    }

    /** The tokens of one rule: attributes, conditions (between when and then) and the then (between then and end). */
    private static final class RuleCheck {
        final FileCheck f;
        final String name;
        final int from;
        final int when;
        final int then;
        final int end;
        /** The token a refusal points at: the first of the text it shows. */
        int where;

        RuleCheck(FileCheck f, String name, int from, int when, int then, int end) {
            this.f = f;
            this.name = name;
            this.from = from;
            this.when = when;
            this.then = then;
            this.end = end;
        }

        void run() {
            for (int j = from; j < end; j++) {
                if (j == when || j == then) {
                    continue;
                }
                where = j;
                String refused = refused(j);
                if (refused != null) {
                    Token k = f.t.get(where);   // where the text shown begins
                    f.problems.add(f.at(k) + (name == null ? "" : "rule \"" + name + "\": ") + refused + WHY);
                    return;   // one line per rule: what follows the first refusal is often its consequence
                }
            }
        }

        private Token at(int j) {
            return j >= 0 && j < f.t.size() ? f.t.get(j) : new Token(Kind.PUNCT, "", 0, 0);
        }

        /** What token j does that a rule may not, or null. */
        private String refused(int j) {
            Token k = at(j);
            boolean inThen = then >= 0 && j > then;
            boolean attributes = j < (when >= 0 ? when : then >= 0 ? then : end);
            if (k.is("::")) {
                return "a method reference (::)";
            }
            if (k.is("\"\"\"")) {
                return "a text block (\"\"\")";
            }
            if (k.kind() != Kind.IDENT) {
                return null;
            }
            String id = k.text();
            Token prev = at(j - 1);
            Token next = at(j + 1);
            if (prev.is("@")) {
                return null;   // an annotation's name (@watch, @Propagation)
            }
            if (prev.is(".")) {
                // a member of something before it
                if (KEYWORDS.contains(id)) {
                    return id.equals("class") ? "a class literal (.class)" : "." + id;
                }
                where = chainStart(j);
                if (!next.is("(")) {
                    // a field or property: MVEL reads x.name through getName() or name(), so only known ones
                    return PROPERTIES.contains(id) || METHODS.contains(id) ? null : chain(j);
                }
                Token receiver = at(j - 2);
                boolean staticCall = receiver.kind() == Kind.IDENT && !at(j - 3).is(".") && CLASSES.containsKey(receiver.text());
                if (staticCall) {
                    Set<String> allowed = CLASSES.get(receiver.text());
                    if (allowed == null ? isMathMethod(id) : allowed.contains(id)) {
                        if (inThen && receiver.text().equals("Choice") && id.equals("of")) {
                            f.objective[0] = true;
                        }
                        return null;
                    }
                    return receiver.text() + "." + id + "(...)";
                }
                return METHODS.contains(id) ? null : chain(j) + "(...)";
            }
            if (KEYWORDS.contains(id)) {
                if (ALLOWED_KEYWORDS.contains(id) || attributes && id.equals("extends")) {
                    return null;   // rule "B" extends "A"
                }
                return switch (id) {
                    case "while", "for", "do" -> "a " + id + " loop";
                    case "new" -> "new " + (next.kind() == Kind.IDENT ? chainFrom(j + 1) : next.text())
                            + (at(j + 1 + 2 * dots(j + 1) + 1).is("[") ? "[...]" : "(...)");
                    default -> "\"" + id + "\"";
                };
            }
            if (next.is(".")) {
                // the start of a chain: X.y or X.y(...)
                if (id.startsWith("$") || CLASSES.containsKey(id) || !inThen && FIELDS.contains(id)) {
                    return null;
                }
                String c = chainFrom(j);
                int last = j;
                while (at(last + 1).is(".") && at(last + 2).kind() == Kind.IDENT) {
                    last += 2;
                }
                return c + (at(last + 1).is("(") ? "(...)" : "");
            }
            if (next.is("(")) {
                if (inThen ? THEN_CALLS.contains(id)
                        : CONDITION_CALLS.contains(id) || METHODS.contains(id) && !attributes || Character.isUpperCase(id.charAt(0)) && !attributes) {
                    return null;   // in conditions, Name( ... ) is a pattern: Drools itself reports an unknown type
                }
                if (attributes && TIMED.contains(id)) {
                    return "the attribute " + id;
                }
                if (attributes && (id.equals("salience") || id.equals("enabled"))) {
                    return null;
                }
                return id + "(...)";
            }
            if (attributes && TIMED.contains(id)) {
                return "the attribute " + id;
            }
            return null;   // a name on its own (a field, a variable, a type) runs nothing
        }

        /** X.y.z as written from token j on. */
        private String chainFrom(int j) {
            StringBuilder b = new StringBuilder(at(j).text());
            while (at(j + 1).is(".") && at(j + 2).kind() == Kind.IDENT) {
                b.append('.').append(at(j + 2).text());
                j += 2;
            }
            return b.toString();
        }

        /** How many ".name" follow the name at j. */
        private int dots(int j) {
            int n = 0;
            while (at(j + 1).is(".") && at(j + 2).kind() == Kind.IDENT) {
                j += 2;
                n++;
            }
            return n;
        }

        /** The member at j with the plain names before it: $c.getClass, or getClass after a call or a literal. */
        private String chain(int j) {
            StringBuilder b = new StringBuilder();
            for (int i = chainStart(j); i <= j; i++) {
                b.append(at(i).text());
            }
            return b.toString();
        }

        /** The first of the plain names before the member at j (j itself after a call or a literal). */
        private int chainStart(int j) {
            int start = j;
            while (at(start - 1).is(".") && at(start - 2).kind() == Kind.IDENT) {
                start -= 2;
            }
            return start;
        }
    }

    private static final Set<String> MATH = new HashSet<>();

    static {
        for (Method m : Math.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                MATH.add(m.getName());
            }
        }
    }

    private static boolean isMathMethod(String name) {
        return MATH.contains(name);
    }
}
