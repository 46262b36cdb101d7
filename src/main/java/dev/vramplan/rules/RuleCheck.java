package dev.vramplan.rules;

import static dev.vramplan.rules.Sandbox.ALLOWED_KEYWORDS;
import static dev.vramplan.rules.Sandbox.CLASSES;
import static dev.vramplan.rules.Sandbox.CONDITION_CALLS;
import static dev.vramplan.rules.Sandbox.FIELDS;
import static dev.vramplan.rules.Sandbox.KEYWORDS;
import static dev.vramplan.rules.Sandbox.METHODS;
import static dev.vramplan.rules.Sandbox.PROPERTIES;
import static dev.vramplan.rules.Sandbox.THEN_CALLS;
import static dev.vramplan.rules.Sandbox.TIMED;
import static dev.vramplan.rules.Sandbox.WHY;
import static dev.vramplan.rules.Sandbox.isMathMethod;

import dev.vramplan.rules.DrlTokens.Kind;
import dev.vramplan.rules.DrlTokens.Token;
import dev.vramplan.rules.Sandbox.FileCheck;
import java.util.Set;

/** The tokens of one rule: attributes, conditions (between when and then) and the then (between then and end). */
final class RuleCheck {
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
                Token k = f.t.get(where); // where the text shown begins
                f.problems.add(f.at(k) + (name == null ? "" : "rule \"" + name + "\": ") + refused + WHY);
                return; // one line per rule: what follows the first refusal is often its consequence
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
            return null; // an annotation's name (@watch, @Propagation)
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
            boolean staticCall =
                    receiver.kind() == Kind.IDENT && !at(j - 3).is(".") && CLASSES.containsKey(receiver.text());
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
                return null; // rule "B" extends "A"
            }
            return switch (id) {
                case "while", "for", "do" -> "a " + id + " loop";
                case "new" ->
                    "new " + (next.kind() == Kind.IDENT ? chainFrom(j + 1) : next.text())
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
            if (inThen
                    ? THEN_CALLS.contains(id)
                    : CONDITION_CALLS.contains(id)
                            || METHODS.contains(id) && !attributes
                            || Character.isUpperCase(id.charAt(0)) && !attributes) {
                return null; // in conditions, Name( ... ) is a pattern: Drools itself reports an unknown type
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
        return null; // a name on its own (a field, a variable, a type) runs nothing
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
