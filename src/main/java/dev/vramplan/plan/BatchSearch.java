package dev.vramplan.plan;

import dev.vramplan.catalog.Band;
import dev.vramplan.catalog.Bands;
import dev.vramplan.catalog.Calibration;
import dev.vramplan.catalog.Engine;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Offload;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Workload;
import dev.vramplan.estimate.BandedEstimate;
import dev.vramplan.estimate.Estimate;
import dev.vramplan.estimate.EstimateRequest;
import dev.vramplan.estimate.EstimateTooLargeException;
import dev.vramplan.estimate.Estimator;
import dev.vramplan.estimate.Parallelism;
import dev.vramplan.estimate.VllmPool;
import dev.vramplan.rules.Candidate;
import dev.vramplan.rules.Judge;
import dev.vramplan.rules.Rejection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The batch search of one cell: series of one precision and input size, probed on their batch ladder with the rules
 * as the judge (see {@link Planner} for the two orders: every series here, or lazily in the objective's order in
 * {@link LazySearch}).
 */
final class BatchSearch {
    private BatchSearch() {}

    static final class Series {
        final Precision precision;
        final int resolution;
        final int seqLen;
        final boolean target;
        /** The cards and how the job spreads over them. */
        final Parallelism layout;
        /** Worked out when the search first reaches the series. */
        Ladder ladder;
        /** A vLLM workload: its KV-cache pool (the series then has one candidate, batch = its concurrency). */
        VllmPool.Plan pool;
        /** The largest batch whose estimate fits the card, worked out with the ladder. */
        int physical;

        final Map<Integer, Candidate> probes = new HashMap<>();

        Series(Precision precision, int resolution, int seqLen, boolean target, Parallelism layout) {
            this.precision = precision;
            this.resolution = resolution;
            this.seqLen = seqLen;
            this.target = target;
            this.layout = layout;
        }

        Series(Precision precision, int resolution, int seqLen, boolean target) {
            this(precision, resolution, seqLen, target, Parallelism.single());
        }

        /** Series the objective ranks alike but for the batch (and the strategy): searched together. */
        boolean sameGroup(Series o) {
            return offloaded() == o.offloaded()
                    && layout.gpus() == o.layout.gpus()
                    && precision == o.precision
                    && resolution + seqLen == o.resolution + o.seqLen;
        }

        boolean offloaded() {
            return layout.offload() != Offload.NONE;
        }
    }

    static boolean rejected(Judge s, Candidate c) {
        for (Rejection r : s.facts(Rejection.class)) {
            if (r.candidateId() == c.id()) {
                return true;
            }
        }
        return false;
    }

    static Set<Long> rejectedIds(Judge s) {
        Set<Long> ids = new HashSet<>();
        for (Rejection r : s.facts(Rejection.class)) {
            if (r.candidateId() >= 0) {
                ids.add(r.candidateId());
            }
        }
        return ids;
    }

    /**
     * Every series of the fewest cards that have an accepted candidate: tier by tier (one card, 2, 4, … without offload,
     * then with offload), every series of a tier probed at ladder positions 0, 1, 2, 4, … and the top, then bisection of
     * all at once; the next tier only when no candidate of this one is accepted. Within a tier nothing is assumed of the
     * objective's order of precision, input and batch; across tiers, that it ranks fewer cards first and offload last.
     */
    static void searchAll(Judge s, Probe probe, List<Series> series) {
        List<Series> ordered = new ArrayList<>(series);
        ordered.sort(Comparator.comparingInt((Series sr) -> sr.offloaded() ? 1 : 0)
                .thenComparingInt(sr -> sr.layout.gpus()));
        int i = 0;
        while (i < ordered.size()) {
            int j = i;
            while (j < ordered.size()
                    && ordered.get(j).offloaded() == ordered.get(i).offloaded()
                    && ordered.get(j).layout.gpus() == ordered.get(i).layout.gpus()) {
                j++;
            }
            List<Series> tier = ordered.subList(i, j);
            searchTier(s, probe, tier);
            Set<Long> rejected = rejectedIds(s);
            for (Series sr : tier) {
                for (Candidate c : sr.probes.values()) {
                    if (!rejected.contains(c.id())) {
                        return;
                    }
                }
            }
            i = j;
        }
    }

    private static void searchTier(Judge s, Probe probe, List<Series> series) {
        for (Series sr : series) {
            probe.ladder(sr);
            for (int idx = 0; idx < sr.ladder.size(); idx = idx == 0 ? 1 : idx * 2) {
                probe.add(sr, idx);
            }
            if (!sr.ladder.isEmpty()) {
                probe.add(sr, sr.ladder.size() - 1);
            }
        }
        s.fire();
        bisect(s, probe, series);
    }

    /** Bisection rounds, all given series at once: between the largest accepted and the smallest rejected probe. */
    static void bisect(Judge s, Probe probe, List<Series> series) {
        boolean moved = true;
        while (moved) {
            moved = false;
            Set<Long> rejected = rejectedIds(s);
            for (Series sr : series) {
                int lo = -1;
                int hi = Integer.MAX_VALUE;
                for (Map.Entry<Integer, Candidate> e : sr.probes.entrySet()) {
                    if (!rejected.contains(e.getValue().id())) {
                        lo = Math.max(lo, e.getKey());
                    }
                }
                for (Map.Entry<Integer, Candidate> e : sr.probes.entrySet()) {
                    if (rejected.contains(e.getValue().id()) && e.getKey() > lo) {
                        hi = Math.min(hi, e.getKey());
                    }
                }
                if (lo >= 0 && hi != Integer.MAX_VALUE && hi - lo > 1) {
                    probe.add(sr, lo + (hi - lo) / 2);
                    moved = true;
                }
            }
            if (moved) {
                s.fire();
            }
        }
    }

    /** Makes candidates of one cell: estimates them and hands them to the rules. */
    static final class Probe {
        final Judge s;
        final String cellId;
        final Gpu gpu;
        final Workload w;
        final Model m;
        final Calibration calibration;
        final Bands bands;
        final int step;
        final int powersOfTwoUpTo;
        final int minBatch;
        final Map<Long, Candidate> all;
        final Map<Long, Estimate> estimates;
        final List<Decision> trail;
        /** The series in the order the search first probed them. */
        final List<Series> searched = new ArrayList<>();
        /** Of the series whose smallest batch is beyond the bound, the one that needs least. */
        Decision closestBeyondBound;

        String closestBeyondBoundWhy;
        private double closestBeyondBoundBytes = Double.POSITIVE_INFINITY;
        long nextId = 1;
        /** The band of the cell's estimates, worked out with the first candidate. */
        private Band band;

        Probe(
                Judge s,
                String cellId,
                Gpu gpu,
                Workload w,
                Model m,
                Calibration calibration,
                int step,
                int powersOfTwoUpTo,
                int minBatch,
                Map<Long, Candidate> all,
                Map<Long, Estimate> estimates,
                List<Decision> trail,
                Bands bands) {
            this.s = s;
            this.cellId = cellId;
            this.gpu = gpu;
            this.w = w;
            this.m = m;
            this.calibration = calibration;
            this.bands = bands;
            this.step = step;
            this.powersOfTwoUpTo = powersOfTwoUpTo;
            this.minBatch = minBatch;
            this.all = all;
            this.estimates = estimates;
            this.trail = trail;
        }

        /**
         * The series' batch ladder, up to the first batch that does not fit the card at all. Every batch of it has an
         * estimate: the one past the card can be beyond the estimator's bound (a team's large minimum batch, a huge
         * step, a workload no card could hold even at its smallest batch); the ladder then stops below it, and the
         * trail says so when nothing of the series is left.
         */
        void ladder(Series sr) {
            if (sr.ladder == null && w.engine() == Engine.VLLM) {
                // one candidate: the pool's concurrency (at least 1, so that the rules see what one sequence needs)
                sr.pool = VllmPool.plan(request(sr, 1), w.gpuMemoryUtilization());
                int sequences = Math.max(1, sr.pool.maxConcurrentSequences());
                sr.ladder = new Ladder(sequences, 0, sequences, 1, 1);
            }
            if (sr.ladder == null) {
                EstimateRequest one = request(sr, 1);
                int physical = Estimator.maxBatch(one, gpu.usableBytes(), EstimateRequest.MAX_BATCH);
                sr.physical = physical;
                Ladder l = Ladder.of(step, powersOfTwoUpTo, minBatch, physical);
                int top = l.isEmpty() ? 0 : l.get(l.size() - 1);
                if (top > physical) {
                    try {
                        Estimator.estimate(one.withBatch(top));
                    } catch (EstimateTooLargeException e) {
                        l = l.withSize(l.size() - 1);
                        if (l.isEmpty()) {
                            beyondBound(sr, top, e);
                        }
                    }
                }
                sr.ladder = l;
            }
        }

        /**
         * The band of the cell's jobs: its group follows from the framework, mode, fine-tuning, model and optimizer
         * ({@link BandedEstimate#chain}), which no candidate changes; null before the first candidate.
         */
        Band band() {
            return band;
        }

        private Band band(EstimateRequest r) {
            if (band == null) {
                band = bands.band(BandedEstimate.chain(r), null);
            }
            return band;
        }

        EstimateRequest request(Series sr, int batch) {
            return RuleFacts.request(m, gpu, w, sr.precision, batch, sr.resolution, sr.seqLen, calibration)
                    .withParallelism(sr.layout);
        }

        /** The series' smallest batch has no estimate: a rejection in the trail, by {@link Planner#BEYOND_BOUND}, and why. */
        private void beyondBound(Series sr, int batch, EstimateTooLargeException why) {
            Decision d = new Decision(
                    Decision.Kind.REJECT,
                    sr.precision.id(),
                    CellPlanner.nz(sr.resolution),
                    CellPlanner.nz(sr.seqLen),
                    batch,
                    null,
                    Planner.BEYOND_BOUND,
                    why.reason(),
                    CellPlanner.layout(sr.layout));
            trail.add(d);
            if (why.totalBytes() < closestBeyondBoundBytes) {
                closestBeyondBoundBytes = why.totalBytes();
                closestBeyondBound = d;
                closestBeyondBoundWhy = why.reason();
            }
        }

        Candidate add(Series sr, int idx) {
            Candidate known = sr.probes.get(idx);
            if (known != null) {
                return known;
            }
            int batch = sr.ladder.get(idx);
            if (sr.probes.isEmpty()) {
                searched.add(sr);
            }
            EstimateRequest r = request(sr, batch);
            Estimate e = sr.pool != null ? sr.pool.estimate() : Estimator.estimate(r);
            Candidate c = new Candidate(
                    nextId++,
                    cellId,
                    gpu.id(),
                    w.id(),
                    sr.precision.id(),
                    sr.precision.rank(),
                    sr.resolution,
                    sr.seqLen,
                    batch,
                    e.deviceBytes(),
                    gpu.usableBytes(),
                    sr.target,
                    sr.layout.gpus(),
                    sr.layout.strategy().id(),
                    sr.layout.offload().id(),
                    new BandedEstimate(e, band(r), sr.pool).deviceBytesHigh());
            sr.probes.put(idx, c);
            all.put(c.id(), c);
            estimates.put(c.id(), e);
            s.insert(c);
            return c;
        }
    }
}
