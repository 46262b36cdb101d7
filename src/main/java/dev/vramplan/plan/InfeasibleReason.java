package dev.vramplan.plan;

import dev.vramplan.catalog.Precision;
import dev.vramplan.rules.Candidate;
import dev.vramplan.rules.Rejection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Why a cell has no plan: the rule that ended its last hope, in the trail's last decision. */
final class InfeasibleReason {
    private InfeasibleReason() {}

    /** The least memory first; among equals, the simplest strategy, the highest precision, the largest input. */
    private static final Comparator<Candidate> CLOSEST = Comparator.comparingLong(Candidate::deviceBytes)
            .thenComparingInt(Candidate::getStrategyRank)
            .thenComparingInt(Candidate::rank)
            .thenComparing(Comparator.comparingInt((Candidate c) -> c.resolutionPx() + c.seqLenTokens())
                    .reversed())
            .thenComparingInt(Candidate::batch);

    /**
     * Why nothing was chosen. The deciding rule is the one that ended the cell's last hope: the rejection of the
     * candidate that came closest to fitting in the last tier searched (the search goes in the objective's order, so
     * that tier was the last number of cards and offload left), or, when no precision was allowed, the refusal that alone closed the last
     * door (see {@link #refusalThatDecided}).
     */
    static Decision of(
            List<Precision> wanted,
            List<Rejection> optionRejections,
            Map<Long, Candidate> all,
            List<Rejection> rejections,
            List<BatchSearch.Series> searched,
            Decision closestBeyondBound,
            String beyondBoundWhy) {
        if (all.isEmpty() && closestBeyondBound != null) {
            Decision d = closestBeyondBound;
            String size = d.resolutionPx() != null ? d.resolutionPx() + " px" : d.seqLenTokens() + " tokens";
            String smallest = smallest(d.layout(), d.precision(), size, d.batch());
            return new Decision(
                    Decision.Kind.INFEASIBLE,
                    d.precision(),
                    d.resolutionPx(),
                    d.seqLenTokens(),
                    d.batch(),
                    null,
                    Planner.BEYOND_BOUND,
                    "nothing fits: for even " + smallest + " " + beyondBoundWhy,
                    d.layout());
        }
        if (all.isEmpty()) {
            return refusalThatDecided(wanted, optionRejections);
        }
        Set<Long> rejectedIds = new HashSet<>();
        rejections.forEach(r -> rejectedIds.add(r.candidateId()));
        long unrejected =
                all.keySet().stream().filter(id -> !rejectedIds.contains(id)).count();
        if (unrejected > 0) {
            // candidates no rule rejected, and none chosen: the objective's conditions match none of them
            return Decision.general(
                    Decision.Kind.INFEASIBLE,
                    null,
                    "(no choice)",
                    "the objective chose none of the " + unrejected + " candidates no rule rejected:"
                            + " does the rule that inserts Choice.of(...) match them?",
                    null);
        }
        // the last tier searched (the most cards, with offload last), and in it the candidate that came closest to
        // fitting: both searches probe it (the lazy one hands each tier's closest miss to the rules)
        BatchSearch.Series tail = searched.get(searched.size() - 1);
        Candidate last = null;
        for (BatchSearch.Series sr : searched) {
            if (sr.layout.gpus() != tail.layout.gpus() || sr.offloaded() != tail.offloaded()) {
                continue;
            }
            for (Candidate c : sr.probes.values()) {
                if (last == null || CLOSEST.compare(c, last) < 0) {
                    last = c;
                }
            }
        }
        Rejection best = null;
        for (Rejection r : rejections) { // sorted by candidate, then rule
            if (r.candidateId() == last.id()) {
                best = r;
                break;
            }
        }
        String size = last.resolutionPx() > 0 ? last.resolutionPx() + " px" : last.seqLenTokens() + " tokens";
        String layout = CellPlanner.layout(last);
        return new Decision(
                Decision.Kind.INFEASIBLE,
                last.precision(),
                CellPlanner.nz(last.resolutionPx()),
                CellPlanner.nz(last.seqLenTokens()),
                last.batch(),
                last.deviceBytes(),
                best.rule(),
                "nothing fits: even " + smallest(layout, last.precision(), size, last.batch()) + " " + best.reason(),
                layout);
    }

    /** "the smallest candidate (8 × zero3, amp-bf16, 2048 tokens, batch 1)"; no layout on one card. */
    private static String smallest(String layout, String precision, String size, int batch) {
        return "the smallest candidate (" + (layout != null ? layout + ", " : "") + precision + ", " + size + ", batch "
                + batch + ")";
    }

    /**
     * No precision allowed: which refusal decided. A rule that alone refused a precision is one without which the cell
     * had a precision to search; of those, the one that refused fewest precisions closed the last door (a team rule
     * refusing int4 after "QLoRA keeps its frozen base in 4 bits" left int4 the only one), then the one whose precision
     * comes first in the preference order. When every precision was refused by two rules or more, the refusal of the
     * last precision in the preference order decides.
     */
    static Decision refusalThatDecided(List<Precision> wanted, List<Rejection> optionRejections) {
        Map<String, Set<String>> rulesOf = new HashMap<>(); // precision -> rules that refused it
        Map<String, List<Rejection>> byRule = new LinkedHashMap<>();
        for (Rejection r : optionRejections) {
            rulesOf.computeIfAbsent(r.precision(), k -> new TreeSet<>()).add(r.rule());
            byRule.computeIfAbsent(r.rule(), k -> new ArrayList<>()).add(r);
        }
        List<String> order = wanted.stream().map(Precision::id).toList();
        String all = String.join(", ", new TreeSet<>(rulesOf.keySet()));
        String rule = null;
        List<String> alone = List.of();
        for (Map.Entry<String, List<Rejection>> e : new TreeMap<>(byRule).entrySet()) {
            List<String> sole = order.stream()
                    .filter(p -> rulesOf.getOrDefault(p, Set.of()).equals(Set.of(e.getKey())))
                    .toList();
            if (sole.isEmpty()) {
                continue;
            }
            if (rule == null
                    || e.getValue().size() < byRule.get(rule).size()
                    || e.getValue().size() == byRule.get(rule).size()
                            && order.indexOf(sole.get(0)) < order.indexOf(alone.get(0))) {
                rule = e.getKey();
                alone = sole;
            }
        }
        if (rule == null) {
            String lastPrecision = null;
            for (String p : order) {
                if (rulesOf.containsKey(p)) {
                    lastPrecision = p;
                }
            }
            if (lastPrecision == null) {
                return Decision.general(
                        Decision.Kind.INFEASIBLE,
                        null,
                        "(no rule)",
                        "no precision to plan: the workload lists none",
                        null);
            }
            String lp = lastPrecision;
            Rejection r = optionRejections.stream()
                    .filter(x -> x.precision().equals(lp))
                    .min(Comparator.comparing(Rejection::rule))
                    .orElseThrow();
            return new Decision(
                    Decision.Kind.INFEASIBLE,
                    lp,
                    null,
                    null,
                    null,
                    null,
                    r.rule(),
                    "no precision is allowed: the last one, " + lp + ", was refused: " + r.reason() + " (all "
                            + rulesOf.size() + " refused: " + all + ")");
        }
        String first = alone.get(0);
        String why = byRule.get(rule).stream()
                .filter(x -> x.precision().equals(first))
                .findFirst()
                .orElseThrow()
                .reason();
        return new Decision(
                Decision.Kind.INFEASIBLE,
                first,
                null,
                null,
                null,
                null,
                rule,
                "no precision is allowed, and " + String.join(", ", alone) + (alone.size() == 1 ? " was" : " were")
                        + " refused by this rule alone: " + why + " (all " + rulesOf.size() + " refused: " + all + ")");
    }
}
