package dev.vramplan.plan;

import dev.vramplan.catalog.Bands;
import dev.vramplan.catalog.Calibration;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Workload;
import dev.vramplan.rules.Judge;
import dev.vramplan.rules.PolicySession;
import dev.vramplan.rules.RuleBase;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

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
    /**
     * The "rule" of a batch the planner never proposes: its estimate is beyond the estimator's bound (no card holds
     * it, and no estimate with a breakdown that adds up exists for it).
     */
    public static final String BEYOND_BOUND = "Estimates stop at " + Limits.MAX_ESTIMATE;

    /** Cells handed to a worker at once: large enough to amortise the hand-off, small enough to keep memory flat. */
    static final int CHUNK = 64;

    private final Supplier<Judge> judges;
    private final LongAdder candidates = new LongAdder();
    private final LongAdder firings = new LongAdder();
    private final LongAdder cpuNanos = new LongAdder();
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private boolean exhaustive;
    private int threads = 1;

    /** Plans with the team's rules (a Drools session per cell). */
    public Planner(RuleBase rules) {
        this(() -> new PolicySession(rules));
    }

    /** Plans with another judge of the same facts (the plain-Java twin of the shipped policy, for the benchmark). */
    public Planner(Supplier<Judge> judges) {
        this.judges = judges;
    }

    /** Visits every series of every allowed precision and input (the simple search), instead of the lazy one. */
    /** The bands around estimates that candidates carry the top of (catalog/bands.yaml); {@link #plan} takes the catalog's. */
    public Planner bands(Bands b) {
        this.bands = b;
        return this;
    }

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
    public record Stats(
            long cells, long feasible, long candidates, long firings, long cpuNanos, String exhaustiveBecause) {}

    /** Cells planned both ways before a lazy run, to check that the policy's objective is one the lazy search serves. */
    static final int SAMPLE = 16;

    private String lazyUnsafe;
    private volatile Bands bands = Bands.NONE;

    /** Plans the whole fleet and keeps every cell (for fleets that fit in memory with their trails). */
    public PlanResult plan(Catalog catalog) {
        List<CellPlan> cells = new ArrayList<>();
        Stats s = plan(catalog, cells::add);
        return new PlanResult(cells, s.candidates(), s.firings());
    }

    private record Task(Gpu gpu, int count, int perNode, Workload workload, Model model, Calibration calibration) {}

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
                tasks.add(new Task(gpu, card.getValue(), catalog.perNode(card.getKey()), w, m, catalog.calibration(m)));
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
                CellPlan p = planCell(t.gpu(), t.count(), t.perNode(), t.workload(), t.model(), t.calibration());
                cpuNanos.add(CPU.getCurrentThreadCpuTime() - cpu);
                counted.accept(p);
            }
        } else {
            planParallel(tasks, counted);
        }
        return new Stats(
                tasks.size(), feasible[0], candidates.sum() - c0, firings.sum() - f0, cpuNanos.sum() - n0, lazyUnsafe);
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
            CellPlan lazy = planCell(t.gpu(), t.count(), t.perNode(), t.workload(), t.model(), t.calibration(), false);
            CellPlan full = planCell(t.gpu(), t.count(), t.perNode(), t.workload(), t.model(), t.calibration(), true);
            if (!lazy.outcome().equals(full.outcome())) {
                return "the objective does not rank precision and input before batch (on " + full.gpuId() + "/"
                        + full.workloadId() + " it chose "
                        + (full.feasible() ? full.precision() + " batch " + full.batch() : "nothing")
                        + ", the lazy search "
                        + (lazy.feasible() ? lazy.precision() + " batch " + lazy.batch() : "nothing")
                        + "): every precision and input size was searched";
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
            int ahead = threads * 4; // chunks in flight: keeps the workers busy while the sink works
            while (next < tasks.size() || !window.isEmpty()) {
                while (next < tasks.size() && window.size() < ahead) {
                    List<Task> chunk = tasks.subList(next, Math.min(tasks.size(), next + CHUNK));
                    next += chunk.size();
                    window.add(pool.submit(() -> {
                        long cpu = CPU.getCurrentThreadCpuTime();
                        List<CellPlan> out = new ArrayList<>(chunk.size());
                        for (Task t : chunk) {
                            out.add(planCell(
                                    t.gpu(), t.count(), t.perNode(), t.workload(), t.model(), t.calibration()));
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

    CellPlan planCell(Gpu gpu, int count, Workload w, Model m, Calibration calibration) {
        return planCell(gpu, count, Math.min(count, Catalog.DEFAULT_PER_NODE), w, m, calibration);
    }

    CellPlan planCell(Gpu gpu, int count, int perNode, Workload w, Model m, Calibration calibration) {
        return planCell(gpu, count, perNode, w, m, calibration, exhaustive || lazyUnsafe != null);
    }

    private CellPlan planCell(
            Gpu gpu, int count, int perNode, Workload w, Model m, Calibration calibration, boolean exhaustive) {
        try (Judge s = judges.get()) {
            CellPlan p = CellPlanner.plan(s, gpu, count, perNode, w, m, calibration, bands, exhaustive, candidates);
            firings.add(s.firings());
            return p;
        }
    }
}
