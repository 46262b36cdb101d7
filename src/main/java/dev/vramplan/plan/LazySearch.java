package dev.vramplan.plan;

import dev.vramplan.estimate.Estimator;
import dev.vramplan.rules.Candidate;
import dev.vramplan.rules.Judge;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lazy batch search of one cell: series in the objective's order until one has an accepted batch, with fewer
 * probes once a job outgrows one card ({@link BatchSearch} makes the series and the probes, and searches every series
 * for {@code --exhaustive}).
 */
final class LazySearch {
    private LazySearch() {}

    /**
     * Series in the objective's order until one has an accepted batch: without offload before with it (the shipped
     * policy offloads only when nothing else fits), then the fewest cards, the highest precision, the largest input.
     * Series that rank alike but for the batch (the strategies on the same cards) are searched together
     * ({@link #searchGroup}); a series is searched from its top, its smallest batch, then down from the top in doubling
     * steps and bisection. Exact for objectives that rank cards, precision and input before batch, and strategies after
     * it.
     */
    static void search(Judge s, BatchSearch.Probe probe, List<BatchSearch.Series> series) {
        List<BatchSearch.Series> ordered = new ArrayList<>(series);
        ordered.sort(Comparator.comparingInt((BatchSearch.Series sr) -> sr.offloaded() ? 1 : 0)
                .thenComparingInt(sr -> sr.layout.gpus())
                .thenComparingInt(sr -> sr.precision.rank())
                .thenComparing(Comparator.comparingInt((BatchSearch.Series sr) -> sr.resolution + sr.seqLen)
                        .reversed()));
        List<BatchSearch.Series> hopeless = new ArrayList<>();
        int i = 0;
        while (i < ordered.size()) {
            int j = i;
            while (j < ordered.size() && ordered.get(i).sameGroup(ordered.get(j))) {
                j++;
            }
            List<BatchSearch.Series> group = ordered.subList(i, j);
            for (BatchSearch.Series sr : group) {
                probe.ladder(sr);
            }
            if (!hopeless.isEmpty() && !sameTier(hopeless.get(0), group.get(0)) && closestMiss(s, probe, hopeless)) {
                return;
            }
            if (group.stream().allMatch(LazySearch::hopeless)) {
                hopeless.addAll(group);
            } else {
                if (closestMiss(s, probe, hopeless) || searchGroup(s, probe, group)) {
                    return;
                }
            }
            i = j;
        }
        closestMiss(s, probe, hopeless);
    }

    /**
     * A series whose smallest batch does not fit the card: no batch of it can (the ladder stops at the first batch that
     * does not fit, and the shipped memory rules reject that one).
     */
    private static boolean hopeless(BatchSearch.Series sr) {
        return sr.pool == null && !sr.ladder.isEmpty() && sr.ladder.get(0) > sr.physical;
    }

    /** Same cards, same offload: one tier of the objective's order. */
    private static boolean sameTier(BatchSearch.Series a, BatchSearch.Series b) {
        return a.layout.gpus() == b.layout.gpus() && a.offloaded() == b.offloaded();
    }

    /**
     * Hopeless series of one tier, in a row: only the one that comes closest to fitting is handed to the rules, so the
     * trail says once per tier why it lost ("2 × zero3, amp-bf16, batch 1: needs 99 GiB") instead of once per
     * strategy, precision and input. A policy that accepted such a candidate would plan otherwise searched one by one:
     * the sample the lazy search is checked on before a run ({@code Planner.checkLazy}) then sends the run to the
     * exhaustive search. Returns whether the rules accepted it; empties the list.
     */
    private static boolean closestMiss(Judge s, BatchSearch.Probe probe, List<BatchSearch.Series> hopeless) {
        if (hopeless.isEmpty()) {
            return false;
        }
        BatchSearch.Series closest = null;
        long least = Long.MAX_VALUE;
        for (BatchSearch.Series sr : hopeless) {
            long bytes = Estimator.estimate(probe.request(sr, sr.ladder.get(0))).deviceBytes();
            if (bytes < least) {
                least = bytes;
                closest = sr;
            }
        }
        hopeless.clear();
        Candidate c = probe.add(closest, 0);
        s.fire();
        return !BatchSearch.rejected(s, c);
    }

    /**
     * Series that rank alike but for the batch and the strategy (the strategies on the same cards at one precision and
     * input): whether any has an accepted batch. The objective then wants the largest accepted batch, and on a tie the
     * simplest strategy ({@code Candidate.getStrategyRank}). The series that holds the most (the longest ladder) is
     * searched first; each other one is probed once, at the smallest batch that would beat the best so far, and
     * searched further only when that batch is accepted. A strategy that loses therefore costs one candidate, whose
     * rejection says why, instead of a search of its own.
     */
    private static boolean searchGroup(Judge s, BatchSearch.Probe probe, List<BatchSearch.Series> group) {
        List<BatchSearch.Series> order = new ArrayList<>(group);
        order.sort(Comparator.comparingInt(
                        (BatchSearch.Series sr) -> sr.ladder.isEmpty() ? 0 : sr.ladder.get(sr.ladder.size() - 1))
                .reversed()
                .thenComparingInt(sr -> strategyRank(sr)));
        int bestBatch = -1;
        int bestRank = Integer.MAX_VALUE;
        for (BatchSearch.Series sr : order) {
            if (sr.ladder.isEmpty()) {
                continue;
            }
            int rank = strategyRank(sr);
            if (bestBatch < 0) {
                if (searchSeries(s, probe, sr)) {
                    bestBatch = largestAccepted(s, sr);
                    bestRank = rank;
                }
                continue;
            }
            // the smallest batch of this series that would beat the best: larger, or as large with a simpler strategy
            int top = sr.ladder.size() - 1;
            int idx = 0;
            while (idx < top && !beats(sr.ladder.get(idx), rank, bestBatch, bestRank)) {
                idx++;
            }
            Candidate c = probe.add(sr, idx);
            s.fire();
            if (BatchSearch.rejected(s, c) || !beats(sr.ladder.get(idx), rank, bestBatch, bestRank)) {
                continue; // this strategy cannot beat the best: its rejection (or its smaller batch) says why
            }
            if (idx < top) {
                Candidate t = probe.add(sr, top);
                s.fire();
                if (BatchSearch.rejected(s, t)) {
                    BatchSearch.bisect(s, probe, List.of(sr));
                }
            }
            bestBatch = largestAccepted(s, sr);
            bestRank = rank;
        }
        return bestBatch >= 0;
    }

    private static boolean beats(int batch, int rank, int bestBatch, int bestRank) {
        return batch > bestBatch || batch == bestBatch && rank < bestRank;
    }

    /** The rank the objective breaks ties with, as {@code Candidate.getStrategyRank} gives it. */
    private static int strategyRank(BatchSearch.Series sr) {
        return Candidate.strategyRank(sr.layout.strategy().id());
    }

    /** The largest batch of a series that no rule rejected; -1 when none. */
    private static int largestAccepted(Judge s, BatchSearch.Series sr) {
        Set<Long> rejected = BatchSearch.rejectedIds(s);
        int best = -1;
        for (Map.Entry<Integer, Candidate> e : sr.probes.entrySet()) {
            if (!rejected.contains(e.getValue().id())) {
                best = Math.max(best, sr.ladder.get(e.getKey()));
            }
        }
        return best;
    }

    /** One series: whether some batch of it is accepted (its largest accepted one then found by bisection). */
    private static boolean searchSeries(Judge s, BatchSearch.Probe probe, BatchSearch.Series sr) {
        probe.ladder(sr);
        if (sr.ladder.isEmpty()) {
            return false;
        }
        // the top of the ladder first (the first batch that does not fit the card: the rules say why
        // not larger), then the smallest batch (is anything of this series allowed?), then down from
        // the top in doubling steps: with headroom rules the answer is usually a step or two below it
        // (both handed to the rules at once: one firing instead of two)
        int top = sr.ladder.size() - 1;
        Candidate c = probe.add(sr, top);
        Candidate head = top == 0 ? null : probe.add(sr, 0);
        s.fire();
        if (!BatchSearch.rejected(s, c)) {
            return true;
        }
        if (head == null || BatchSearch.rejected(s, head)) {
            return false; // its smallest batch is refused: so is every larger one
        }
        for (int down = 1; top - down > 0; down *= 2) {
            c = probe.add(sr, top - down);
            s.fire();
            if (!BatchSearch.rejected(s, c)) {
                break;
            }
        }
        BatchSearch.bisect(s, probe, List.of(sr));
        return true;
    }
}
