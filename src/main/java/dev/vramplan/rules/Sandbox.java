package dev.vramplan.rules;

import dev.vramplan.input.Shown;
import dev.vramplan.input.Sizes;
import dev.vramplan.rules.DrlTokens.Kind;
import dev.vramplan.rules.DrlTokens.Token;
import java.lang.reflect.Field;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    record Report(List<String> problems, Map<String, String> ruleFiles, boolean objective) {}

    /** Types whose static methods and fields a rule may use, with the static methods allowed (null: all of them). */
    static final Map<String, Set<String>> CLASSES = new HashMap<>();
    /** Methods a rule may call on a value: the facts' own methods and read-only String, Set and Number methods. */
    static final Set<String> METHODS = new HashSet<>(Set.of(
            "equals",
            "equalsIgnoreCase",
            "compareTo",
            "hashCode",
            "toString",
            "length",
            "isEmpty",
            "isBlank",
            "startsWith",
            "endsWith",
            "contains",
            "containsAll",
            "indexOf",
            "lastIndexOf",
            "charAt",
            "substring",
            "toLowerCase",
            "toUpperCase",
            "trim",
            "strip",
            "concat",
            "size",
            "intValue",
            "longValue",
            "doubleValue"));
    /** Fields of the facts: in conditions a constraint may start with one ({@code reason.length() > 10}). */
    static final Set<String> FIELDS = new HashSet<>();
    /** Names a rule may read after a dot: the facts' fields, text and number properties, the helpers' constants. */
    static final Set<String> PROPERTIES = new HashSet<>(Set.of("length", "empty", "blank", "size", "PI", "E"));
    /** Calls without a receiver in conditions: conditional elements, accumulate functions, operators that take a list. */
    static final Set<String> CONDITION_CALLS = Set.of(
            "not",
            "exists",
            "forall",
            "eval",
            "accumulate",
            "acc",
            "collect",
            "from",
            "in",
            "count",
            "sum",
            "min",
            "max",
            "average",
            "collectList",
            "collectSet");
    /** Calls without a receiver in a then. */
    static final Set<String> THEN_CALLS = Set.of("insert", "insertLogical");

    static final Set<String> KEYWORDS = Set.of(
            "abstract",
            "assert",
            "boolean",
            "break",
            "byte",
            "case",
            "catch",
            "char",
            "class",
            "const",
            "continue",
            "default",
            "do",
            "double",
            "else",
            "enum",
            "extends",
            "final",
            "finally",
            "float",
            "for",
            "goto",
            "if",
            "implements",
            "import",
            "instanceof",
            "int",
            "interface",
            "long",
            "native",
            "new",
            "package",
            "private",
            "protected",
            "public",
            "return",
            "short",
            "static",
            "strictfp",
            "super",
            "switch",
            "synchronized",
            "this",
            "throw",
            "throws",
            "transient",
            "try",
            "void",
            "volatile",
            "while",
            "true",
            "false",
            "null",
            "var",
            "yield",
            "record",
            "sealed",
            "permits");
    static final Set<String> ALLOWED_KEYWORDS = Set.of(
            "if",
            "else",
            "return",
            "true",
            "false",
            "null",
            "instanceof",
            "final",
            "this",
            "boolean",
            "byte",
            "char",
            "short",
            "int",
            "long",
            "float",
            "double",
            "var");
    /** Rule attributes that schedule firings on a timer thread, outside the cell's planning. */
    static final Set<String> TIMED = Set.of("timer", "duration", "calendars");
    /** What DRL allows at the top of a file besides package, import and rule: refused. */
    private static final Set<String> REFUSED_TOP = Set.of("function", "global", "declare", "query", "unit", "template");
    /** The imports a rule file may have, as the refusal of another names them. */
    private static final String IMPORTS_SHOWN = "dev.vramplan.rules.* and dev.vramplan.input.Sizes";

    private static final Set<String> IMPORTS = new HashSet<>(
            Set.of("dev.vramplan.rules.*", "dev.vramplan.input.Sizes", "java.lang.Math", "java.lang.String"));

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
        for (Class<?> c : List.of(Setting.class, Sizes.class)) {
            for (Field field : c.getFields()) {
                PROPERTIES.add(field.getName());
            }
        }
        CLASSES.put("Sizes", Set.of("human"));
        CLASSES.put("Math", null);
        CLASSES.put("String", Set.of("valueOf", "join"));
    }

    private static final Pattern UNICODE_ESCAPE = Pattern.compile("\\\\u+[0-9a-fA-F]{4}");

    private Sandbox() {}

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

    /** One file: its top level (package, imports, rules), then each rule's tokens. */
    static final class FileCheck {
        final String shown;
        final String text;
        final List<String> problems;
        final Map<String, String> ruleFiles;
        final boolean[] objective;
        final List<Token> t;
        /** The file's lines, once a rule name needs them. */
        String[] lines;

        FileCheck(
                String shown, String text, List<String> problems, Map<String, String> ruleFiles, boolean[] objective) {
            this.shown = shown;
            this.text = text;
            this.problems = problems;
            this.ruleFiles = ruleFiles;
            this.objective = objective;
            this.t = DrlTokens.tokens(text);
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
                    for (int j = i + 1;
                            j < t.size()
                                    && j < i + 8
                                    && (t.get(j).kind() == Kind.IDENT
                                            || t.get(j).is("."));
                            j++) {
                        what.append(t.get(j).is(".") || t.get(j - 1).is(".") ? "" : " ")
                                .append(t.get(j).text());
                    }
                    problems.add(
                            at(k) + what + " is not allowed in a rule file (a rule file holds package, import and rule;"
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

        String at(Token k) {
            return shown + ":" + k.line() + ":" + k.col() + ": ";
        }

        private void unicodeEscapes() {
            Matcher m = UNICODE_ESCAPE.matcher(text);
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
            while (i < t.size()
                    && (t.get(i).kind() == Kind.IDENT && !isTopLevel(t.get(i))
                            || t.get(i).is(".")
                            || t.get(i).is("*"))) {
                i++;
            }
            return i;
        }

        private static boolean isTopLevel(Token k) {
            return k.kind() == Kind.IDENT
                    && (k.text().equals("package")
                            || k.text().equals("import")
                            || k.text().equals("rule")
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
            if (first < t.size()
                    && Set.of("function", "static", "accumulate")
                            .contains(t.get(first).text())) {
                name.append(t.get(first).text()).append(' '); // import function/static/accumulate: never allowed
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
                problems.add(
                        at(k) + "import " + name + " is not allowed in a rule file (rules may import the fact types"
                                + " and helpers: " + IMPORTS_SHOWN + ")");
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
                name = t.get(i).kind() == Kind.STRING
                        ? ruleName(t.get(i))
                        : t.get(i).text();
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
                } else if (k.is("end")
                        && (then < 0 && when >= 0 || then >= 0 && (j + 1 == t.size() || isTopLevel(t.get(j + 1))))) {
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

    private static final Set<String> MATH = new HashSet<>();

    static {
        for (Method m : Math.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                MATH.add(m.getName());
            }
        }
    }

    static boolean isMathMethod(String name) {
        return MATH.contains(name);
    }
}
