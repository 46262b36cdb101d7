package dev.vramplan.rules;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Workload;
import dev.vramplan.input.Named;
import dev.vramplan.input.Shown;
import dev.vramplan.input.Suggest;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.drools.drl.ast.descr.BaseDescr;
import org.drools.drl.ast.descr.ConditionalElementDescr;
import org.drools.drl.ast.descr.ExprConstraintDescr;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.ast.descr.PatternDescr;
import org.drools.drl.ast.descr.RuleDescr;
import org.drools.drl.parser.DrlParser;
import org.drools.drl.parser.DroolsParserException;

/**
 * What Drools compiles but a team did not mean: text compared with a number (Drools then compares strings),
 * a number compared with text, a value a field never takes (the rule can never fire) and two rules with the
 * same name: errors. And, as warnings, a text field compared with a value that no entry of the catalog has
 * ({@link #catalogWarnings}). (What a rule may do at all, {@code modify} not included, is {@link Sandbox}'s to say.)
 */
public final class Linter {
    /** The fact types rules see, by the simple name DRL uses. */
    static final Map<String, Class<?>> FACTS = Map.of(
            "Card",
            Card.class,
            "Job",
            Job.class,
            "Cell",
            Cell.class,
            "PrecisionOption",
            PrecisionOption.class,
            "Candidate",
            Candidate.class,
            "Rejection",
            Rejection.class,
            "Setting",
            Setting.class,
            "Choice",
            Choice.class,
            "Accumulation",
            Accumulation.class,
            "LayoutOption",
            LayoutOption.class);

    /** Text fields with a closed set of values. */
    static final Map<String, Set<String>> VALUES = Map.of(
            "mode", Set.of("train", "inference"),
            "precision", Set.copyOf(Named.ids(Precision.class)),
            "gpuClass", Set.of("datacenter", "workstation", "consumer"),
            "vendor", Set.of("nvidia", "amd"),
            "finetune", Set.of("full", "lora", "qlora", "adapter", "adapter-v2"),
            "priority", Set.of("low", "normal", "high"),
            "adapterDtype", Set.of("", "fp32", "bf16", "fp16"),
            "strategy", Set.of("single", "ddp", "zero1", "zero2", "zero3", "tp"),
            "offload", Set.of("none", "optimizer", "optimizer+params"),
            "engine", Set.of("hf", "vllm"));

    private static final Pattern COMPARISON =
            Pattern.compile("(?<![\\w.$\"])([a-zA-Z_]\\w*)\\s*(==|!=|<=|>=|<|>)\\s*(\"[^\"]*\"|-?\\d+(?:\\.\\d+)?)");

    private Linter() {}

    /** Whether Drools' parser reads the text without an error. */
    static boolean parses(String text) {
        try {
            DrlParser parser = new DrlParser();
            PackageDescr pkg = parser.parse(false, text);
            return !parser.hasErrors() && pkg != null;
        } catch (DroolsParserException | RuntimeException e) {
            return false;
        }
    }

    /** A DRL file's parsed form, or null where it does not parse (the compiler reports why). */
    private static PackageDescr parsed(String drl) {
        try {
            DrlParser parser = new DrlParser();
            PackageDescr pkg = parser.parse(false, drl);
            return parser.hasErrors() ? null : pkg;
        } catch (DroolsParserException | RuntimeException e) {
            return null;
        }
    }

    /** One line per finding: {@code file:line:column: message}. */
    public static List<String> lint(Map<Path, String> files) {
        List<String> out = new ArrayList<>();
        Map<String, String> ruleAt = new LinkedHashMap<>();
        for (Map.Entry<Path, String> f : files.entrySet()) {
            String shown = Shown.path(f.getKey());
            String[] lines = f.getValue().split("\n", -1);
            PackageDescr pkg = parsed(f.getValue());
            if (pkg == null) {
                continue; // the compiler reports syntax errors
            }
            for (RuleDescr rule : pkg.getRules()) {
                String where = shown + ":" + rule.getLine() + ":" + Math.max(1, rule.getColumn());
                String earlier = ruleAt.putIfAbsent(rule.getName(), where);
                if (earlier != null) {
                    out.add(where + ": rule \"" + rule.getName() + "\" is defined twice (also at " + earlier
                            + "): Drools keeps one of them silently. Give each policy its own name");
                }
                if (rule.getLhs() != null) {
                    patterns(rule.getLhs(), rule, shown, lines, out);
                }
            }
        }
        return out;
    }

    private static void patterns(BaseDescr d, RuleDescr rule, String shown, String[] lines, List<String> out) {
        if (d instanceof PatternDescr p) {
            Class<?> type = FACTS.get(p.getObjectType());
            if (type != null && p.getConstraint() != null) {
                for (BaseDescr c : p.getConstraint().getDescrs()) {
                    if (c instanceof ExprConstraintDescr e) {
                        expression(e, type, p.getObjectType(), rule, shown, lines, out);
                    }
                }
            }
            if (p.getSource() != null) {
                return;
            }
        }
        if (d instanceof ConditionalElementDescr ce) {
            for (BaseDescr child : ce.getDescrs()) {
                patterns(child, rule, shown, lines, out);
            }
        }
    }

    private static void expression(
            ExprConstraintDescr e,
            Class<?> type,
            String typeName,
            RuleDescr rule,
            String shown,
            String[] lines,
            List<String> out) {
        Matcher m = COMPARISON.matcher(e.getExpression());
        while (m.find()) {
            String field = m.group(1);
            String op = m.group(2);
            String literal = m.group(3);
            Class<?> ft = fieldType(type, field);
            if (ft == null) {
                continue;
            }
            boolean text = literal.startsWith("\"");
            String loc = shown + ":" + e.getLine() + ":"
                    + column(lines, e.getLine(), field + " " + op, field, e.getColumn());
            if (ft == String.class && !text && !op.equals("==") && !op.equals("!=")) {
                out.add(loc + ": " + typeName + "." + field + " is text and " + literal
                        + " a number: Drools compares them" + " as text (\"10\" < \"9\"), in rule \"" + rule.getName()
                        + "\". Compare a number field, or quote the value");
            } else if (ft == String.class && !text) {
                out.add(loc + ": " + typeName + "." + field + " is text, compared with the number " + literal
                        + " in rule \"" + rule.getName() + "\": it can never be equal. Quote the value");
            } else if (ft != String.class && ft != boolean.class && text) {
                out.add(loc + ": " + typeName + "." + field + " is a number, compared with the text " + literal
                        + " in rule \"" + rule.getName() + "\". Write the number without quotes");
            } else if (ft == String.class && text && (op.equals("==") || op.equals("!="))) {
                Set<String> values = VALUES.get(field);
                String v = literal.substring(1, literal.length() - 1);
                if (values != null && !values.contains(v)) {
                    out.add(loc + ": " + typeName + "." + field + " is never \"" + v + "\" (it is one of "
                            + String.join(", ", new TreeSet<>(values)) + "), so rule \"" + rule.getName() + "\" "
                            + (op.equals("==") ? "can never fire" : "tests nothing") + "."
                            + Suggest.didYouMean(v, values));
                }
            }
        }
    }

    /**
     * The values a text field of a fact takes on a catalog, and what to call them in a warning: the Job's
     * {@code team} is "workload … team", the Card's {@code vendor} "card … vendor".
     */
    public record Domain(String entity, String what, Set<String> values) {
        public Domain {
            values = Set.copyOf(values);
        }
    }

    /**
     * The text fields rules compare with literals, with the values the catalog gives them: cards from every card of
     * {@code gpus.yaml}, models from {@code models*.yaml}, workloads from the fleet and {@code extra} (the policy tests'
     * workloads, which are part of what the policy is run on).
     */
    public static Map<String, Domain> domains(Catalog catalog, List<Workload> extra) {
        List<Workload> ws = new ArrayList<>(catalog.workloads());
        ws.addAll(extra);
        BiFunction<String, Function<Workload, String>, Domain> workload = (what, f) -> new Domain(
                "workload of the catalog or of the policy tests",
                what,
                ws.stream().map(f).filter(Objects::nonNull).collect(Collectors.toSet()));
        BiFunction<String, Function<Gpu, String>, Domain> card = (what, f) -> new Domain(
                "card of the catalog",
                what,
                catalog.gpus().values().stream().map(f).filter(Objects::nonNull).collect(Collectors.toSet()));
        BiFunction<String, Function<Model, String>, Domain> model = (what, f) -> new Domain(
                "model of the catalog",
                what,
                catalog.models().values().stream()
                        .map(f)
                        .filter(Objects::nonNull)
                        .collect(Collectors.toSet()));
        Domain workloadIds = workload.apply("id", Workload::id);
        Domain cardIds = card.apply("id", Gpu::id);
        Map<String, Domain> d = new LinkedHashMap<>();
        d.put("Job.team", workload.apply("team", Workload::team));
        d.put("Job.priority", workload.apply("priority", Workload::priority));
        d.put("Job.mode", workload.apply("mode", w -> w.mode().id()));
        d.put("Job.finetune", workload.apply("finetune", w -> w.finetune().id()));
        d.put("Job.optimizer", workload.apply("optimizer", w -> w.optimizer().id()));
        d.put("Job.id", workloadIds);
        d.put("Job.model", model.apply("id", Model::id));
        d.put("Job.family", model.apply("family", Model::family));
        d.put("Card.id", cardIds);
        d.put("Card.name", card.apply("name", Gpu::name));
        d.put("Card.vendor", card.apply("vendor", Gpu::vendor));
        d.put("Card.gpuClass", card.apply("class", Gpu::gpuClass));
        d.put("Card.architecture", card.apply("architecture", Gpu::architecture));
        for (String fact : List.of("Cell", "PrecisionOption", "LayoutOption", "Candidate")) {
            d.put(fact + ".gpu", cardIds);
            d.put(fact + ".job", workloadIds);
        }
        return d;
    }

    /**
     * Warnings, not errors: a text field compared with a value that nothing in the catalog has ({@code team == "LLM"}
     * where the teams are {@code llm} and {@code vision}). The rule compiles and is right for some catalog, but can never
     * fire on this one (or, with {@code !=}, tests nothing). One line per finding:
     * {@code file:line:column: warning: team == "LLM": no workload of … has team "LLM" (…). Did you mean "llm"?}
     */
    public static List<String> catalogWarnings(Map<Path, String> files, Map<String, Domain> domains) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Path, String> f : files.entrySet()) {
            String shown = Shown.path(f.getKey());
            String[] lines = f.getValue().split("\n", -1);
            PackageDescr pkg = parsed(f.getValue());
            if (pkg == null) {
                continue; // the compiler reports syntax errors
            }
            for (RuleDescr rule : pkg.getRules()) {
                if (rule.getLhs() == null) {
                    continue;
                }
                constraints(rule.getLhs(), (typeName, e) -> {
                    Matcher m = COMPARISON.matcher(e.getExpression());
                    while (m.find()) {
                        String field = m.group(1);
                        String op = m.group(2);
                        String literal = m.group(3);
                        Domain domain = domains.get(typeName + "." + field);
                        if (domain == null || !literal.startsWith("\"") || !(op.equals("==") || op.equals("!="))) {
                            continue;
                        }
                        String v = literal.substring(1, literal.length() - 1);
                        if (domain.values().contains(v)) {
                            continue;
                        }
                        String loc = shown + ":" + e.getLine() + ":"
                                + column(lines, e.getLine(), field + " " + op, field, e.getColumn());
                        out.add(loc + ": warning: " + field + " " + op + " " + literal + ": no " + domain.entity()
                                + " has "
                                + domain.what() + " \"" + v + "\" ("
                                + (op.equals("==")
                                        ? "the rule can never fire on this catalog"
                                        : "the condition is always true on this catalog")
                                + ")."
                                + Suggest.didYouMean(v, domain.values()));
                    }
                });
            }
        }
        return out;
    }

    /** Every constraint of every fact pattern of a rule's conditions, with the pattern's fact type. */
    private static void constraints(BaseDescr d, BiConsumer<String, ExprConstraintDescr> each) {
        if (d instanceof PatternDescr p) {
            if (FACTS.containsKey(p.getObjectType()) && p.getConstraint() != null) {
                for (BaseDescr c : p.getConstraint().getDescrs()) {
                    if (c instanceof ExprConstraintDescr e) {
                        each.accept(p.getObjectType(), e);
                    }
                }
            }
            if (p.getSource() != null) {
                return;
            }
        }
        if (d instanceof ConditionalElementDescr ce) {
            for (BaseDescr child : ce.getDescrs()) {
                constraints(child, each);
            }
        }
    }

    static Class<?> fieldType(Class<?> type, String field) {
        String cap = Character.toUpperCase(field.charAt(0)) + field.substring(1);
        for (String name : List.of("get" + cap, "is" + cap)) {
            try {
                Method m = type.getMethod(name);
                Class<?> r = m.getReturnType();
                return r.isPrimitive() && r != boolean.class || Number.class.isAssignableFrom(r)
                        ? Number.class
                        : r == boolean.class || r == Boolean.class ? boolean.class : r;
            } catch (NoSuchMethodException e) {
                // try the next accessor form
            }
        }
        return null;
    }

    private static int column(String[] lines, int line, String exact, String token, int fallback) {
        if (line >= 1 && line <= lines.length) {
            int at = lines[line - 1].indexOf(exact);
            if (at < 0) {
                at = lines[line - 1].indexOf(token);
            }
            if (at >= 0) {
                return at + 1;
            }
        }
        return Math.max(1, fallback);
    }

    /**
     * The fact types and the fields a rule may use, as a Markdown table (docs/policy.md is this
     * text, and a test keeps it so).
     */
    public static String factTable() {
        StringBuilder b = new StringBuilder("| fact | fields a rule may use |\n| --- | --- |\n");
        for (String name : List.of(
                "Card",
                "Job",
                "Cell",
                "PrecisionOption",
                "LayoutOption",
                "Candidate",
                "Setting",
                "Rejection",
                "Choice",
                "Accumulation")) {
            TreeMap<String, String> fields = new TreeMap<>();
            for (Method m : FACTS.get(name).getMethods()) {
                String n = m.getName();
                if (m.getParameterCount() != 0
                        || m.getDeclaringClass() == Object.class
                        || Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                String field = n.startsWith("get") && n.length() > 3
                        ? n.substring(3)
                        : n.startsWith("is") && n.length() > 2 ? n.substring(2) : null;
                if (field != null) {
                    Class<?> r = m.getReturnType();
                    String t = r == String.class
                            ? "text"
                            : r == boolean.class
                                    ? "true/false"
                                    : r.isPrimitive()
                                            ? "number"
                                            : Set.class.isAssignableFrom(r) ? "set of text" : r.getSimpleName();
                    fields.put(Character.toLowerCase(field.charAt(0)) + field.substring(1), t);
                }
            }
            StringBuilder f = new StringBuilder();
            fields.forEach((k, v) -> f.append(f.length() == 0 ? "" : ", ")
                    .append('`')
                    .append(k)
                    .append("` (")
                    .append(v)
                    .append(')'));
            if (name.equals("Card")) {
                f.append(", `runs(\"fp8\")` (true/false)");
            }
            b.append("| `").append(name).append("` | ").append(f).append(" |\n");
        }
        return b.toString();
    }
}
