package dev.vramplan.plan;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Workload;
import dev.vramplan.catalog.WorkloadReader;
import dev.vramplan.input.Fields;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.input.Problems;
import dev.vramplan.input.Shown;
import dev.vramplan.input.Suggest;
import dev.vramplan.input.Yaml;
import dev.vramplan.rules.RuleBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * Policy tests a team writes next to its rules ({@code rules/tests/*.yaml}): given a card and a workload,
 * expect the chosen precision, batch and input size, or that nothing is feasible, and which rules decided.
 *
 * <pre>
 * tests:
 *   - name: a T4 trains YOLO in fp16 mixed precision
 *     gpu: t4
 *     workload: {model: yolov8s, mode: train, resolution: 640, optimizer: sgd, global_batch: 64}
 *     expect:
 *       precision: amp-fp16
 *       batch: 32
 *       rejected_by: [bf16 needs compute capability 8.0]
 * </pre>
 */
public final class PolicyTests {
    private PolicyTests() {}

    /** What a test expects; null fields are not checked. */
    public record Expect(
            Boolean feasible,
            String precision,
            Integer batch,
            Integer resolutionPx,
            Integer seqLenTokens,
            Integer gradAccumSteps,
            String rule,
            List<String> rejectedBy,
            List<String> notRejectedBy,
            Integer gpus,
            String strategy) {}

    /** @param count cards of the type (fleet.yaml's count, default 1); @param perNode of them in one server */
    public record Case(
            String file,
            String name,
            Yaml.Loc loc,
            Gpu gpu,
            Workload workload,
            Expect expect,
            int count,
            int perNode) {}

    public record Outcome(Case test, List<String> failures, CellPlan plan) {
        public boolean passed() {
            return failures.isEmpty();
        }
    }

    public static List<Case> load(Path dir, Catalog catalog) {
        List<Case> cases = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return cases;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new InvalidInputException(Shown.path(dir) + ":1:1: cannot be listed: " + e.getMessage());
        }
        Problems problems = new Problems();
        for (Path file : files) {
            String shown = Shown.path(file);
            Yaml.Node root = Yaml.read(file, shown, "policy test file", problems);
            if (root == null) {
                continue;
            }
            Fields top = Fields.of(root, "", problems);
            if (top == null) {
                continue;
            }
            Yaml.ListNode list = top.list("tests", true);
            top.finish();
            if (list == null) {
                continue;
            }
            for (int i = 0; i < list.items().size(); i++) {
                Fields f = Fields.of(list.items().get(i), "tests[" + i + "]", problems);
                if (f == null) {
                    continue;
                }
                int before = problems.size();
                String name = f.string("name");
                String gpuId = f.string("gpu");
                Gpu gpu = gpuId == null ? null : catalog.gpu(gpuId);
                if (gpuId != null && gpu == null) {
                    f.problem(
                            "gpu",
                            "unknown gpu \"" + gpuId + "\"."
                                    + Suggest.didYouMean(gpuId, catalog.gpus().keySet()));
                }
                long count = f.integer("count", 1, 1_000_000, 1L);
                long perNode = f.integer("per_node", 1, 1_000_000, Math.min(count, Catalog.DEFAULT_PER_NODE));
                Fields wf = f.map("workload", true);
                Workload w = null;
                if (wf != null) {
                    w = WorkloadReader.readWorkload(wf, catalog, "test-" + i);
                    wf.finish();
                }
                Fields ef = f.map("expect", true);
                Expect e = null;
                if (ef != null) {
                    e = new Expect(
                            ef.has("feasible") ? ef.bool("feasible", true) : null,
                            ef.string("precision", null),
                            opt(ef.optInteger("batch", 1, 1 << 20)),
                            opt(ef.optInteger("resolution", 1, 1 << 16)),
                            opt(ef.optInteger("seq_len", 1, 1 << 21)),
                            opt(ef.optInteger("grad_accum_steps", 1, 1 << 20)),
                            ef.string("rule", null),
                            ef.strings("rejected_by", false),
                            ef.strings("not_rejected_by", false),
                            opt(ef.optInteger("gpus", 1, 1_000_000)),
                            ef.string("strategy", null));
                    ef.finish();
                }
                f.finish();
                if (problems.size() == before && gpu != null && w != null && e != null) {
                    cases.add(new Case(shown, name, f.loc(), gpu, w, e, (int) count, (int) perNode));
                }
            }
        }
        problems.throwIfAny();
        return cases;
    }

    private static Integer opt(Long v) {
        return v == null ? null : v.intValue();
    }

    public static List<Outcome> run(List<Case> cases, RuleBase rules, Catalog catalog) {
        Planner planner = new Planner(rules)
                .exhaustive(true)
                .bands(catalog.bands()); // every series: a test may expect a rejection of any candidate
        Set<String> known = new TreeSet<>(rules.ruleNames());
        known.addAll(PSEUDO_RULES);
        List<Outcome> out = new ArrayList<>();
        for (Case c : cases) {
            Model m = catalog.model(c.workload().modelId());
            CellPlan p = planner.planCell(c.gpu(), c.count(), c.perNode(), c.workload(), m, catalog.calibration(m));
            out.add(new Outcome(c, check(c.expect(), p, known), p));
        }
        return out;
    }

    /** What the planner names as the deciding "rule" where no rule of the policy decided: a test may expect them too. */
    static final List<String> PSEUDO_RULES = List.of(Planner.BEYOND_BOUND, "(no choice)", "(no rule)");

    /**
     * The failures of a test against its plan. A rule name the test expects ({@code rule}, {@code rejected_by},
     * {@code not_rejected_by}) that is not one of {@code known} fails the test with "Did you mean": otherwise a
     * {@code not_rejected_by} with a typo would pass whatever the policy does.
     */
    static List<String> check(Expect e, CellPlan p, Set<String> known) {
        List<String> f = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        BiConsumer<String, String> name = (key, rule) -> {
            if (rule != null && !known.contains(rule)) {
                unknown.add(rule);
                f.add(key + " names no rule of the policy: \"" + rule + "\"." + Suggest.didYouMean(rule, known));
            }
        };
        name.accept("rule", e.rule());
        e.rejectedBy().forEach(r -> name.accept("rejected_by", r));
        e.notRejectedBy().forEach(r -> name.accept("not_rejected_by", r));
        if (e.feasible() != null && e.feasible() != p.feasible()) {
            f.add("expected " + (e.feasible() ? "a feasible plan" : "nothing feasible") + ", got "
                    + (p.feasible() ? p.precision() + " batch " + p.batch() : "infeasible: " + p.reason()));
        }
        compare(f, "precision", e.precision(), p.precision());
        compare(f, "batch", e.batch(), p.batch());
        compare(f, "resolution", e.resolutionPx(), p.resolutionPx());
        compare(f, "seq_len", e.seqLenTokens(), p.seqLenTokens());
        compare(f, "grad_accum_steps", e.gradAccumSteps(), p.gradAccumSteps());
        compare(f, "gpus", e.gpus(), p.gpus());
        compare(f, "strategy", e.strategy(), p.strategy());
        if (!unknown.contains(e.rule())) {
            compare(f, "rule", e.rule(), p.rule());
        }
        List<String> rejecting = p.trail().stream()
                .filter(d -> d.kind() == Decision.Kind.REJECT || d.kind() == Decision.Kind.INFEASIBLE)
                .map(Decision::rule)
                .distinct()
                .toList();
        for (String r : e.rejectedBy()) {
            if (!rejecting.contains(r) && !unknown.contains(r)) {
                f.add("expected a rejection by \"" + r + "\"; rejections came from "
                        + (rejecting.isEmpty() ? "no rule" : rejecting));
            }
        }
        for (String r : e.notRejectedBy()) {
            if (rejecting.contains(r)) {
                f.add("expected no rejection by \"" + r + "\", but it rejected something");
            }
        }
        return f;
    }

    private static void compare(List<String> failures, String what, Object expected, Object actual) {
        if (expected != null && !Objects.equals(expected, actual)) {
            failures.add("expected " + what + " " + expected + ", got " + (actual == null ? "none" : actual));
        }
    }
}
