package dev.vramplan.plan;

import dev.vramplan.catalog.Bands;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Workload;
import dev.vramplan.estimate.BandedEstimate;
import dev.vramplan.estimate.Estimate;
import dev.vramplan.estimate.EstimateRequest;
import dev.vramplan.estimate.EstimateTooLargeException;
import dev.vramplan.estimate.Estimator;
import dev.vramplan.estimate.Setup;
import dev.vramplan.rules.Accumulation;
import dev.vramplan.rules.Candidate;
import dev.vramplan.rules.Card;
import dev.vramplan.rules.Cell;
import dev.vramplan.rules.Choice;
import dev.vramplan.rules.Job;
import dev.vramplan.rules.Judge;
import dev.vramplan.rules.PolicySession;
import dev.vramplan.rules.PrecisionOption;
import dev.vramplan.rules.Rejection;
import dev.vramplan.rules.RuleBase;
import dev.vramplan.rules.Setting;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Plans every card of the fleet × every workload. Java generates candidates and computes their memory;
 * the rules set policy values, reject precisions and candidates, and choose.
 *
 * <p>Per cell, in one rules session: (1) the card, the job and one option per precision go in; rules set
 * the batch step and minimum and refuse precisions. (2) For each allowed precision and each input size
 * (the target, then smaller multiples of the model's stride down to half the target), the batch ladder is
 * searched with the rules as the judge: probes at ladder positions 0, 1, 2, 4, 8, … up to the first batch
 * that no longer fits the card at all, then bisection between the largest accepted and the smallest
 * rejected probe. This keeps a cell to a few dozen candidates even with a step of 1, and assumes what memory
 * rules are: a batch that is rejected stays rejected when it grows. (3) The choice rule picks among
 * survivors.
 *
 * <p>That is the exhaustive search ({@link #exhaustive(boolean)}). The default search is lazy: it visits the
 * series in the order of the shipped objective (highest precision first, then the largest input) until the
 * rules accept a batch of one; only that series is searched, from the top of its ladder down in doubling steps
 * and then by bisection (with headroom rules the largest allowed batch is a step or two below the first that
 * does not fit, so a feasible cell costs three or four candidates). A series whose
 * smallest batch is rejected has no accepted batch, so under an objective that ranks precision and input
 * before batch both searches choose the same candidate, with a fraction of the candidates (tests check that
 * they agree on the shipped fleet). A team whose choice rule ranks batch first plans with
 * {@code --exhaustive}.
 *
 * <p>Cells are independent, so {@link #plan(Catalog, Consumer)} plans them on several threads (one rules
 * session per cell, one compiled rule base for all) and hands them to the sink in fleet order.
 */
public final class Planner {
    /** Inputs are stepped down to at most half the target resolution before a cell is called infeasible. */
    public static final double MIN_RESOLUTION_SHARE = 0.5;
    /**
     * The "rule" of a batch the planner never proposes: its estimate is beyond the estimator's bound (no card holds
     * it, and no estimate with a breakdown that adds up exists for it).
     */
    public static final String BEYOND_BOUND = "Estimates stop at " + dev.vramplan.catalog.Limits.MAX_ESTIMATE;

    /** Cells handed to a worker at once: large enough to amortise the hand-off, small enough to keep memory flat. */
    static final int CHUNK = 64;

    private final java.util.function.Supplier<Judge> judges;
    private final LongAdder candidates = new LongAdder();
    private final LongAdder firings = new LongAdder();
    private final LongAdder cpuNanos = new LongAdder();
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    private boolean exhaustive;
    private int threads = 1;

    /** Plans with the team's rules (a Drools session per cell). */
    public Planner(RuleBase rules) {
        this(() -> new PolicySession(rules));
    }

    /** Plans with another judge of the same facts (the plain-Java twin of the shipped policy, for the benchmark). */
    public Planner(java.util.function.Supplier<Judge> judges) {
        this.judges = judges;
    }

    /** Visits every series of every allowed precision and input (the simple search), instead of the lazy one. */
    public Planner exhaustive(boolean on) {
        this.exhaustive = on;
        return this;
    }

    /** Plans on this many threads (1: on the caller's). */
    public Planner threads(int n) {
        this.threads = Math.max(1, n);
        return this;
    }

    /** Plans on as many threads as the machine has cores. */
    public Planner parallel() {
        return threads(Runtime.getRuntime().availableProcessors());
    }

    /**
     * What planning a fleet took.
     *
     * @param exhaustiveBecause why the run searched every series although the lazy search was asked for, or null
     */
    public record Stats(long cells, long feasible, long candidates, long firings, long cpuNanos, String exhaustiveBecause) {
    }

    /** Cells planned both ways before a lazy run, to check that the policy's objective is one the lazy search serves. */
    static final int SAMPLE = 16;

    private String lazyUnsafe;
    /** The bands around estimates of the catalog being planned: candidates carry their top (catalog/bands.yaml). */
    private volatile Bands bands = Bands.NONE;

    /** Plans the whole fleet and keeps every cell (for fleets that fit in memory with their trails). */
    public PlanResult plan(Catalog catalog) {
        List<CellPlan> cells = new ArrayList<>();
        Stats s = plan(catalog, cells::add);
        return new PlanResult(cells, s.candidates(), s.firings());
    }

    private record Task(Gpu gpu, int count, Workload workload, Model model, dev.vramplan.catalog.Calibration calibration) {
    }

    /**
     * Plans every card × workload and hands each cell to {@code sink} in fleet order (cards, then workloads), on
     * the caller's thread, as soon as it and all before it are planned: a fleet of any size plans in bounded memory.
     */
    public Stats plan(Catalog catalog, Consumer<CellPlan> sink) {
        bands = catalog.bands();
        List<Task> tasks = new ArrayList<>();
        for (Map.Entry<String, Integer> card : catalog.fleetCards().entrySet()) {
            Gpu gpu = catalog.gpu(card.getKey());
            for (Workload w : catalog.workloads()) {
                Model m = catalog.model(w.modelId());
                tasks.add(new Task(gpu, card.getValue(), w, m, catalog.calibration(m)));
            }
        }
        lazyUnsafe = exhaustive ? null : checkLazy(tasks);
        long c0 = candidates.sum();
        long f0 = firings.sum();
        long n0 = cpuNanos.sum();
        long[] feasible = {0};
        Consumer<CellPlan> counted = p -> {
            if (p.feasible()) {
                feasible[0]++;
            }
            sink.accept(p);
        };
        if (threads == 1 || tasks.size() <= CHUNK) {
            for (Task t : tasks) {
                long cpu = CPU.getCurrentThreadCpuTime();
                CellPlan p = planCell(t.gpu(), t.count(), t.workload(), t.model(), t.calibration());
                cpuNanos.add(CPU.getCurrentThreadCpuTime() - cpu);
                counted.accept(p);
            }
        } else {
            planParallel(tasks, counted);
        }
        return new Stats(tasks.size(), feasible[0], candidates.sum() - c0, firings.sum() - f0, cpuNanos.sum() - n0, lazyUnsafe);
    }

    /**
     * The lazy search is exact for objectives that rank precision and input before batch, as the shipped one does;
     * a team may write another ("Maximise images per step" in docs/policy.md). Before a lazy run, a sample of cells
     * spread over the fleet is planned both ways; if any differs, the whole run searches every series. Returns why,
     * or null when the lazy search agrees.
     */
    private String checkLazy(List<Task> tasks) {
        int n = Math.min(SAMPLE, tasks.size());
        for (int i = 0; i < n; i++) {
            Task t = tasks.get((int) ((long) i * tasks.size() / n));
            CellPlan lazy = planCell(t.gpu(), t.count(), t.workload(), t.model(), t.calibration(), false);
            CellPlan full = planCell(t.gpu(), t.count(), t.workload(), t.model(), t.calibration(), true);
            if (!lazy.outcome().equals(full.outcome())) {
                return "the objective does not rank precision and input before batch (on " + full.gpuId() + "/"
                        + full.workloadId() + " it chose " + (full.feasible() ? full.precision() + " batch " + full.batch()
                        : "nothing") + ", the lazy search " + (lazy.feasible() ? lazy.precision() + " batch " + lazy.batch()
                        : "nothing") + "): every precision and input size was searched";
            }
        }
        return null;
    }

    private void planParallel(List<Task> tasks, Consumer<CellPlan> sink) {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vramplan-planner");
            t.setDaemon(true);
            return t;
        });
        try {
            ArrayDeque<Future<List<CellPlan>>> window = new ArrayDeque<>();
            int next = 0;
            int ahead = threads * 4;               // chunks in flight: keeps the workers busy while the sink works
            while (next < tasks.size() || !window.isEmpty()) {
                while (next < tasks.size() && window.size() < ahead) {
                    List<Task> chunk = tasks.subList(next, Math.min(tasks.size(), next + CHUNK));
                    next += chunk.size();
                    window.add(pool.submit(() -> {
                        long cpu = CPU.getCurrentThreadCpuTime();
                        List<CellPlan> out = new ArrayList<>(chunk.size());
                        for (Task t : chunk) {
                            out.add(planCell(t.gpu(), t.count(), t.workload(), t.model(), t.calibration()));
                        }
                        cpuNanos.add(CPU.getCurrentThreadCpuTime() - cpu);
                        return out;
                    }));
                }
                for (CellPlan p : await(window.poll())) {
                    sink.accept(p);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("planning was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    public static Card card(Gpu g, int count) {
        return new Card(g.id(), g.name(), g.vendor(), g.gpuClass(), g.architecture(),
                g.computeCapability() == null ? 0 : g.computeCapability(), g.memoryBytes(), g.usableBytes(),
                g.nativePrecisions().stream().map(t -> t.id()).collect(java.util.stream.Collectors.toSet()), count);
    }

    public static Job job(Workload w, Model m) {
        return new Job(w.id(), m.id(), m.family(), w.mode().id(), m.vision(), m.detector(), m.batchNorm(), m.decoder(),
                m.strideOrPatch(), w.resolutionPx() == null ? 0 : w.resolutionPx(),
                w.seqLenTokens() == null ? 0 : w.seqLenTokens(), w.optimizer().id(), w.globalBatch(), w.team(),
                w.priority(), w.production(), w.finetune().id());
    }

    private static final class Series {
        final Precision precision;
        final int resolution;
        final int seqLen;
        final boolean target;
        /** Worked out when the search first reaches the series. */
        Ladder ladder;
        final Map<Integer, Candidate> probes = new HashMap<>();

        Series(Precision precision, int resolution, int seqLen, boolean target) {
            this.precision = precision;
            this.resolution = resolution;
            this.seqLen = seqLen;
            this.target = target;
        }
    }

    CellPlan planCell(Gpu gpu, int count, Workload w, Model m, dev.vramplan.catalog.Calibration calibration) {
        return planCell(gpu, count, w, m, calibration, exhaustive || lazyUnsafe != null);
    }

    private CellPlan planCell(Gpu gpu, int count, Workload w, Model m, dev.vramplan.catalog.Calibration calibration,
                              boolean exhaustive) {
        String cellId = gpu.id() + "/" + w.id();
        List<Decision> trail = new ArrayList<>();
        try (Judge s = judges.get()) {
            s.insert(card(gpu, count));
            s.insert(job(w, m));
            s.insert(new Cell(cellId, gpu.id(), w.id()));
            List<Precision> wanted = w.precisions().isEmpty() ? List.of(Precision.values()) : w.precisions();
            for (Precision p : wanted) {
                s.insert(new PrecisionOption(cellId, gpu.id(), w.id(), p.id(), p.rank(), p.quantized(), p.usesBf16(),
                        p.usesFp16(), p == Precision.FP8, p == Precision.INT8 || p == Precision.INT4, adapterDtypeId(w, p, gpu)));
            }
            s.fire();

            int step = 1;
            int powersOfTwoUpTo = 0;
            int minBatch = 1;
            List<Setting> settings = new ArrayList<>(s.facts(Setting.class));
            settings.sort(Comparator.comparing(Setting::rule).thenComparing(Setting::name));
            boolean stepSet = false;
            for (Setting st : settings) {
                trail.add(new Decision(Decision.Kind.SETTING, null, null, null, null, null, st.rule(), st.reason()));
                if (st.name().equals(Setting.BATCH_STEP) && !stepSet) {
                    step = st.value();
                    powersOfTwoUpTo = st.powersOfTwoUpTo();
                    stepSet = true;
                } else if (st.name().equals(Setting.MIN_BATCH)) {
                    minBatch = Math.max(minBatch, st.value());
                }
            }
            Set<String> refused = new HashSet<>();
            List<Rejection> optionRejections = new ArrayList<>(s.facts(Rejection.class));
            optionRejections.sort(Comparator.comparing(Rejection::precision).thenComparing(Rejection::rule));
            for (Rejection r : optionRejections) {
                refused.add(r.precision());
                trail.add(new Decision(Decision.Kind.REJECT, r.precision(), null, null, null, null, r.rule(), r.reason()));
            }

            List<Series> series = new ArrayList<>();
            for (Precision p : wanted) {
                if (refused.contains(p.id())) {
                    continue;
                }
                for (int size : sizes(w, m)) {
                    boolean vision = m.vision();
                    int res = vision ? size : 0;
                    int seq = vision ? 0 : size;
                    boolean target = vision ? size == w.resolutionPx() : size == w.seqLenTokens();
                    series.add(new Series(p, res, seq, target));
                }
            }
            Map<Long, Candidate> all = new HashMap<>();
            Map<Long, Estimate> estimates = new HashMap<>();
            Probe probe = new Probe(s, cellId, gpu, w, m, calibration, step, powersOfTwoUpTo, minBatch, all,
                    estimates, trail, bands);
            if (exhaustive) {
                searchAll(s, probe, series);
            } else {
                searchLazily(s, probe, series);
            }
            candidates.add(all.size());
            firings.add(s.firings());

            Set<Long> rejected = new HashSet<>();
            List<Rejection> rejections = new ArrayList<>();
            for (Rejection r : s.facts(Rejection.class)) {
                if (r.candidateId() >= 0) {
                    rejected.add(r.candidateId());
                    rejections.add(r);
                }
            }
            rejections.sort(Comparator.comparingLong(Rejection::candidateId).thenComparing(Rejection::rule));
            for (Rejection r : rejections) {
                Candidate c = all.get(r.candidateId());
                trail.add(new Decision(Decision.Kind.REJECT, c.precision(), nz(c.resolutionPx()), nz(c.seqLenTokens()),
                        c.batch(), c.deviceBytes(), r.rule(), r.reason()));
            }
            List<Choice> choices = new ArrayList<>(s.facts(Choice.class));
            choices.sort(Comparator.comparingLong(Choice::candidateId));
            if (!choices.isEmpty()) {
                Choice ch = choices.get(0);
                Candidate c = all.get(ch.candidateId());
                List<Candidate> survivors = new ArrayList<>(all.values());
                survivors.sort(Comparator.comparingLong(Candidate::id));
                for (Candidate o : survivors) {
                    if (o.id() != c.id() && !rejected.contains(o.id())) {
                        trail.add(new Decision(Decision.Kind.OUTRANKED, o.precision(), nz(o.resolutionPx()), nz(o.seqLenTokens()),
                                o.batch(), o.deviceBytes(), ch.rule(), "fits, but the objective prefers " + c.precision() + " at "
                                + (c.resolutionPx() > 0 ? c.resolutionPx() + " px" : c.seqLenTokens() + " tokens") + ", batch " + c.batch()));
                    }
                }
                trail.add(new Decision(Decision.Kind.CHOOSE, c.precision(), nz(c.resolutionPx()), nz(c.seqLenTokens()),
                        c.batch(), c.deviceBytes(), ch.rule(), ch.reason()));
                Integer accum = null;
                for (Accumulation a : s.facts(Accumulation.class)) {
                    accum = a.steps();
                    trail.add(new Decision(Decision.Kind.SETTING, c.precision(), nz(c.resolutionPx()), nz(c.seqLenTokens()),
                            c.batch(), null, a.rule(), a.reason()));
                }
                if (accum == null && w.mode() == Mode.TRAIN) {
                    accum = 1;
                }
                return new CellPlan(gpu.id(), w.id(), m.id(), w.mode(), true, c.precision(), nz(c.resolutionPx()),
                        nz(c.seqLenTokens()), c.batch(), accum, estimates.get(c.id()), gpu.usableBytes(), ch.rule(),
                        ch.reason(), trail);
            }
            // nothing survived: the rule that ended the last hope decides
            Decision why = infeasibleReason(wanted, optionRejections, all, rejections, probe.searched,
                    probe.closestBeyondBound, probe.closestBeyondBoundWhy);
            trail.add(why);
            return new CellPlan(gpu.id(), w.id(), m.id(), w.mode(), false, null, null, null, null, null, null,
                    gpu.usableBytes(), why.rule(), why.reason(), trail);
        }
    }

    private static Integer nz(int v) {
        return v == 0 ? null : v;
    }

    /**
     * Why nothing was chosen. The deciding rule is the one that ended the cell's last hope: the rejection of the
     * smallest candidate of the last series searched (the search goes in the objective's order, so that series was
     * the last precision and input left), or, when no precision was allowed, the refusal that alone closed the last
     * door (see {@link #refusalThatDecided}).
     */
    private static Decision infeasibleReason(List<Precision> wanted, List<Rejection> optionRejections,
                                             Map<Long, Candidate> all, List<Rejection> rejections, List<Series> searched,
                                             Decision closestBeyondBound, String beyondBoundWhy) {
        if (all.isEmpty() && closestBeyondBound != null) {
            Decision d = closestBeyondBound;
            String size = d.resolutionPx() != null ? d.resolutionPx() + " px" : d.seqLenTokens() + " tokens";
            return new Decision(Decision.Kind.INFEASIBLE, d.precision(), d.resolutionPx(), d.seqLenTokens(), d.batch(), null,
                    BEYOND_BOUND, "nothing fits: for even the smallest candidate (" + d.precision() + ", " + size + ", batch "
                    + d.batch() + ") " + beyondBoundWhy);
        }
        if (all.isEmpty()) {
            return refusalThatDecided(wanted, optionRejections);
        }
        Set<Long> rejectedIds = new HashSet<>();
        rejections.forEach(r -> rejectedIds.add(r.candidateId()));
        long unrejected = all.keySet().stream().filter(id -> !rejectedIds.contains(id)).count();
        if (unrejected > 0) {
            // candidates no rule rejected, and none chosen: the objective's conditions match none of them
            return new Decision(Decision.Kind.INFEASIBLE, null, null, null, null, null, "(no choice)",
                    "the objective chose none of the " + unrejected + " candidates no rule rejected:"
                            + " does the rule that inserts Choice.of(...) match them?");
        }
        // the last series searched that has candidates, and its smallest one
        Candidate last = null;
        for (int i = searched.size() - 1; i >= 0 && last == null; i--) {
            for (Candidate c : searched.get(i).probes.values()) {
                if (last == null || c.batch() < last.batch()) {
                    last = c;
                }
            }
        }
        Rejection best = null;
        for (Rejection r : rejections) {              // sorted by candidate, then rule
            if (r.candidateId() == last.id()) {
                best = r;
                break;
            }
        }
        String size = last.resolutionPx() > 0 ? last.resolutionPx() + " px" : last.seqLenTokens() + " tokens";
        return new Decision(Decision.Kind.INFEASIBLE, last.precision(), nz(last.resolutionPx()), nz(last.seqLenTokens()),
                last.batch(), last.deviceBytes(), best.rule(),
                "nothing fits: even the smallest candidate (" + last.precision() + ", " + size + ", batch " + last.batch()
                        + ") " + best.reason());
    }

    /**
     * No precision allowed: which refusal decided. A rule that alone refused a precision is one without which the cell
     * had a precision to search; of those, the one that refused fewest precisions closed the last door (a team rule
     * refusing int4 after "QLoRA keeps its frozen base in 4 bits" left int4 the only one), then the one whose precision
     * comes first in the preference order. When every precision was refused by two rules or more, the refusal of the
     * last precision in the preference order decides.
     */
    static Decision refusalThatDecided(List<Precision> wanted, List<Rejection> optionRejections) {
        Map<String, Set<String>> rulesOf = new HashMap<>();        // precision -> rules that refused it
        Map<String, List<Rejection>> byRule = new java.util.LinkedHashMap<>();
        for (Rejection r : optionRejections) {
            rulesOf.computeIfAbsent(r.precision(), k -> new TreeSet<>()).add(r.rule());
            byRule.computeIfAbsent(r.rule(), k -> new ArrayList<>()).add(r);
        }
        List<String> order = wanted.stream().map(Precision::id).toList();
        String all = String.join(", ", new TreeSet<>(rulesOf.keySet()));
        String rule = null;
        List<String> alone = List.of();
        for (Map.Entry<String, List<Rejection>> e : new java.util.TreeMap<>(byRule).entrySet()) {
            List<String> sole = order.stream().filter(p -> rulesOf.getOrDefault(p, Set.of()).equals(Set.of(e.getKey()))).toList();
            if (sole.isEmpty()) {
                continue;
            }
            if (rule == null || e.getValue().size() < byRule.get(rule).size()
                    || e.getValue().size() == byRule.get(rule).size() && order.indexOf(sole.get(0)) < order.indexOf(alone.get(0))) {
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
                return new Decision(Decision.Kind.INFEASIBLE, null, null, null, null, null, "(no rule)",
                        "no precision to plan: the workload lists none");
            }
            String lp = lastPrecision;
            Rejection r = optionRejections.stream().filter(x -> x.precision().equals(lp))
                    .min(Comparator.comparing(Rejection::rule)).orElseThrow();
            return new Decision(Decision.Kind.INFEASIBLE, lp, null, null, null, null, r.rule(),
                    "no precision is allowed: the last one, " + lp + ", was refused: " + r.reason() + " (all " + rulesOf.size() + " refused: " + all + ")");
        }
        String first = alone.get(0);
        String why = byRule.get(rule).stream().filter(x -> x.precision().equals(first)).findFirst().orElseThrow().reason();
        return new Decision(Decision.Kind.INFEASIBLE, first, null, null, null, null, rule,
                "no precision is allowed, and " + String.join(", ", alone) + (alone.size() == 1 ? " was" : " were")
                        + " refused by this rule alone: " + why + " (all " + rulesOf.size() + " refused: " + all + ")");
    }

    private static boolean rejected(Judge s, Candidate c) {
        for (Rejection r : s.facts(Rejection.class)) {
            if (r.candidateId() == c.id()) {
                return true;
            }
        }
        return false;
    }

    private static Set<Long> rejectedIds(Judge s) {
        Set<Long> ids = new HashSet<>();
        for (Rejection r : s.facts(Rejection.class)) {
            if (r.candidateId() >= 0) {
                ids.add(r.candidateId());
            }
        }
        return ids;
    }

    /** Every series: probes at ladder positions 0, 1, 2, 4, … and the top, then bisection of all at once. */
    private static void searchAll(Judge s, Probe probe, List<Series> series) {
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

    /**
     * Series in the objective's order until one has an accepted batch: its top, its smallest batch, then down from
     * the top in doubling steps and bisection. Exact for objectives that rank precision and input before batch.
     */
    private static void searchLazily(Judge s, Probe probe, List<Series> series) {
        // the objective's order: highest precision (lowest rank) first, then the largest input
        List<Series> ordered = new ArrayList<>(series);
        ordered.sort(Comparator.comparingInt((Series sr) -> sr.precision.rank())
                .thenComparing(Comparator.comparingInt((Series sr) -> sr.resolution + sr.seqLen).reversed()));
        for (Series sr : ordered) {
            probe.ladder(sr);
            if (sr.ladder.isEmpty()) {
                continue;
            }
            // the top of the ladder first (the first batch that does not fit the card: the rules say why
            // not larger), then the smallest batch (is anything of this series allowed?), then down from
            // the top in doubling steps: with headroom rules the answer is usually a step or two below it
            int top = sr.ladder.size() - 1;
            Candidate c = probe.add(sr, top);
            s.fire();
            if (!rejected(s, c)) {
                break;
            }
            if (top == 0) {
                continue;
            }
            Candidate head = probe.add(sr, 0);
            s.fire();
            if (rejected(s, head)) {
                continue;                  // its smallest batch is refused: so is every larger one
            }
            for (int down = 1; top - down > 0; down *= 2) {
                c = probe.add(sr, top - down);
                s.fire();
                if (!rejected(s, c)) {
                    break;
                }
            }
            bisect(s, probe, List.of(sr));
            break;
        }
    }

    /** Bisection rounds, all given series at once: between the largest accepted and the smallest rejected probe. */
    private static void bisect(Judge s, Probe probe, List<Series> series) {
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
    private static final class Probe {
        final Judge s;
        final String cellId;
        final Gpu gpu;
        final Workload w;
        final Model m;
        final dev.vramplan.catalog.Calibration calibration;
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

        Probe(Judge s, String cellId, Gpu gpu, Workload w, Model m, dev.vramplan.catalog.Calibration calibration, int step,
              int powersOfTwoUpTo, int minBatch, Map<Long, Candidate> all, Map<Long, Estimate> estimates, List<Decision> trail,
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
            if (sr.ladder == null) {
                EstimateRequest one = request(m, gpu, w, sr.precision, 1, sr.resolution, sr.seqLen, calibration);
                int physical = Estimator.maxBatch(one, gpu.usableBytes(), EstimateRequest.MAX_BATCH);
                Ladder l = Planner.ladder(step, powersOfTwoUpTo, minBatch, physical);
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

        /** The series' smallest batch has no estimate: a rejection in the trail, by {@link #BEYOND_BOUND}, and why. */
        private void beyondBound(Series sr, int batch, EstimateTooLargeException why) {
            Decision d = new Decision(Decision.Kind.REJECT, sr.precision.id(), nz(sr.resolution), nz(sr.seqLen), batch, null,
                    BEYOND_BOUND, why.reason());
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
            EstimateRequest r = request(m, gpu, w, sr.precision, batch, sr.resolution, sr.seqLen, calibration);
            Estimate e = Estimator.estimate(r);
            long high = BandedEstimate.of(e, r, bands).deviceBytesHigh();
            Candidate c = new Candidate(nextId++, cellId, gpu.id(), w.id(), sr.precision.id(), sr.precision.rank(),
                    sr.resolution, sr.seqLen, batch, e.deviceBytes(), gpu.usableBytes(), sr.target, high);
            sr.probes.put(idx, c);
            all.put(c.id(), c);
            estimates.put(c.id(), e);
            s.insert(c);
            return c;
        }
    }

    static EstimateRequest request(Model m, Gpu gpu, Workload w, Precision p, int batch, int res, int seq,
                                   dev.vramplan.catalog.Calibration calibration) {
        return new EstimateRequest(m, gpu, w.mode(), p, batch, res == 0 ? null : res, seq == 0 ? null : seq,
                w.optimizer(), setup(w, p).calibrated(calibration));
    }

    /**
     * The dtype a fine-tuning job's adapters train in when it differs from the frozen base's precision, or null: fp32
     * beside an fp16 LoRA base ({@link Setup#defaultAdapterDtype}).
     */
    public static Precision adapterDtype(Workload w, Precision p) {
        return Setup.defaultAdapterDtype(w.mode(), w.finetune(), p);
    }

    /** What the rules see as {@code PrecisionOption.adapterDtype}: the adapters' dtype with this base, "" without adapters. */
    static String adapterDtypeId(Workload w, Precision p, Gpu gpu) {
        if (w.mode() != Mode.TRAIN || w.finetune() == dev.vramplan.catalog.Finetune.FULL) {
            return "";
        }
        Precision own = adapterDtype(w, p);
        if (own != null) {
            return own.id();
        }
        if (p.quantized()) {
            // the adapters of a 4/8-bit base train in its 16-bit compute dtype
            return gpu.nativePrecisions().stream().anyMatch(t -> t.id().equals("bf16")) ? "bf16" : "fp16";
        }
        return p.stateBytes() == 4 ? "fp32" : p.id();
    }

    /** How the workload runs at precision {@code p}, for the estimator. */
    public static Setup setup(Workload w, Precision p) {
        return setup(w).withAdapterDtype(adapterDtype(w, p));
    }

    /** How the workload runs, for the estimator. */
    public static Setup setup(Workload w) {
        return new Setup(w.finetune(), w.trainableParams(), w.loraRank(), w.gradientCheckpointing(), w.flashAttention(),
                w.ema(), w.quantization());
    }

    /** Input sizes to try, largest first: the target, then multiples of the stride below it, down to half the target. */
    static List<Integer> sizes(Workload w, Model m) {
        List<Integer> out = new ArrayList<>();
        if (!m.vision()) {
            out.add(w.seqLenTokens());
            return out;
        }
        int target = w.resolutionPx();
        int stride = m.strideOrPatch();
        out.add(target);
        int floor = (int) Math.ceil(target * MIN_RESOLUTION_SHARE);
        for (int r = (target - 1) / stride * stride; r >= Math.max(stride, floor); r -= stride) {
            out.add(r);
        }
        return out;
    }

    /**
     * Batch sizes from the minimum up to the first that exceeds the card (so the rules can say why not
     * larger): powers of two (step 0), multiples of the step, or powers of two up to a bound and multiples of the
     * step above it. Kept as a formula, not a list: with step 1 a large card holds tens of thousands of sizes.
     *
     * @param powers      how many powers of two ({@code start}, 2·start, …) come first; the rest are multiples
     * @param linearStart the first multiple of the step, after the powers of two
     */
    record Ladder(long start, int powers, long linearStart, int step, int size) {
        int get(int idx) {
            return (int) (idx < powers ? start << idx : linearStart + (long) (idx - powers) * step);
        }

        boolean isEmpty() {
            return size == 0;
        }

        Ladder withSize(int n) {
            return new Ladder(start, powers, linearStart, step, n);
        }
    }

    /** Powers of two (step 0) or multiples of the step, from the smallest allowed batch. */
    static Ladder ladder(int step, int minBatch, int physicalMax) {
        return ladder(step, 0, minBatch, physicalMax);
    }

    /**
     * The batch ladder of a cell: with step 0 powers of two; with a step n and no bound, multiples of n; with a step n
     * and {@code powersOfTwoUpTo} b, powers of two up to b and then multiples of n above b (1 … 64, 72, 80, …). Every
     * batch is at least the minimum batch.
     */
    static Ladder ladder(int step, int powersOfTwoUpTo, int minBatch, int physicalMax) {
        long max = EstimateRequest.MAX_BATCH;
        long start = 1;
        while (start < minBatch) {
            start *= 2;
        }
        long powersCap;                      // how many powers of two the ladder may have
        long linearStart;
        if (step <= 0) {
            powersCap = Long.MAX_VALUE;
            linearStart = Long.MAX_VALUE;
        } else if (powersOfTwoUpTo <= 0) {
            powersCap = 0;
            linearStart = ((minBatch + step - 1L) / step) * step;
        } else {
            powersCap = 0;
            for (long b = start; b <= powersOfTwoUpTo; b *= 2) {
                powersCap++;
            }
            linearStart = Math.max(powersOfTwoUpTo / step + 1L, (minBatch + step - 1L) / step) * step;
        }
        // count values <= physicalMax, then one more (the first that does not fit), all within MAX_BATCH
        int size = 0;
        int powers = 0;
        boolean over = false;
        for (long b = start; powers < powersCap && b <= max; b *= 2) {
            powers++;
            size++;
            if (b > physicalMax) {
                over = true;
                break;
            }
        }
        if (!over && step > 0 && linearStart <= max) {
            long fitting = physicalMax < linearStart ? 0 : (physicalMax - linearStart) / step + 1;
            long count = (max - linearStart) / step + 1;
            size += (int) Math.min(fitting + 1, count);
        }
        return new Ladder(powers == 0 ? linearStart : start, step <= 0 ? Integer.MAX_VALUE : powers,
                linearStart == Long.MAX_VALUE ? 0 : linearStart, step, size);
    }
}
