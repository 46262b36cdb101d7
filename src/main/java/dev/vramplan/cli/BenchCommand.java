package dev.vramplan.cli;

import dev.vramplan.answer.PlanAnswers;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.plan.Fingerprints;
import dev.vramplan.plan.Planner;
import dev.vramplan.plan.SyntheticFleet;
import dev.vramplan.rules.RuleBase;
import dev.vramplan.store.PlanStore;
import dev.vramplan.store.RunInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Plans a synthetic fleet of N card types x M workloads (both modes) with the team's rules and stores"
                        + " it in an H2 file, printing how fast; then times queries against the database.",
        footer = {"", "Example: java -Xmx1g -jar target/vramplan.jar bench --cards 100 --workloads 1000"})
final class BenchCommand implements Callable<Integer> {
    /** The targets, printed against what was measured. */
    static final double TARGET_WALL_S = 30;

    static final long TARGET_CELLS = 200_000;
    static final double TARGET_WARM_QUERY_MS = 5;

    @Option(names = "--cards", defaultValue = "20", description = "card types (default: ${DEFAULT-VALUE})")
    int cards;

    @Option(
            names = "--workloads",
            defaultValue = "100",
            description = "workloads, each planned for training and inference (default: ${DEFAULT-VALUE})")
    int workloads;

    @Mixin
    CatalogOption catalog;

    @Mixin
    RulesOption rules;

    @Option(
            names = "--db",
            paramLabel = "PATH|URL",
            description = "store into this database (runs add up: time 'vramplan query"
                    + " --db' against it); default: a fresh H2 file that is deleted afterwards")
    String db;

    @Option(names = "--threads", description = "planning threads (default: one per core)")
    Integer threads;

    @Option(names = "--quiet", description = "no progress line on a terminal's standard error")
    boolean quiet;

    @Option(
            names = "--queries",
            defaultValue = "2000",
            description = "queries timed in this warm process (default: ${DEFAULT-VALUE})")
    int queries;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (cards < 1 || workloads < 1 || (long) cards * workloads > 1_000_000) {
            throw new InvalidInputException("--cards and --workloads: between 1 and 1,000,000 cells in all");
        }
        PrintWriter out = spec.commandLine().getOut();
        int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, threads);
        long start = System.nanoTime();
        Catalog base = CatalogLoader.load(catalog.dir());
        Catalog fleet = SyntheticFleet.of(base, cards, workloads);
        RuleBase rb = RuleBase.load(rules.dir());
        long compiled = System.nanoTime();
        Path tmp = db == null ? Files.createTempDirectory("vramplan-bench") : null;
        try {
            return measure(
                    out, fleet, rb, db == null ? tmp.resolve("bench").toString() : db, nThreads, start, compiled);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    private int measure(
            PrintWriter out, Catalog fleet, RuleBase rb, String where, int nThreads, long start, long compiled) {

        // 1. plan with the rules and store, streaming: cells go to the database while later ones are planned
        long total = (long) cards * workloads * 2;
        long[] inSink = {0};
        long[] lastCell = {0};
        long committing;
        Planner.Stats[] stats = new Planner.Stats[1];
        Planner planner = new Planner(rb).threads(nThreads);
        Fingerprints.Of fp = Fingerprints.of(fleet);
        RunInfo info = new RunInfo(
                "synthetic " + cards + "x" + workloads,
                Paths.shown(rules.dir()),
                Main.VERSION,
                System.getProperty("user.name"),
                PlanCommand.host(),
                fp.catalog(),
                rb.fingerprint(),
                fp.gpus(),
                fp.models(),
                fp.workloads());
        long runId;
        long opened;
        long stored;
        List<Double> warm = new ArrayList<>();
        try (PlanStore store = PlanStore.open(where)) {
            opened = System.nanoTime();
            try (Progress progress =
                    Progress.onStderr(spec.commandLine().getErr(), quiet, "planning with the rules", total)) {
                runId = store.save(
                        info,
                        sink -> stats[0] = planner.plan(fleet, c -> {
                            long t = System.nanoTime();
                            sink.accept(c);
                            lastCell[0] = System.nanoTime();
                            inSink[0] += lastCell[0] - t;
                            progress.step();
                        }));
            }
            stored = System.nanoTime();
            committing = stored - lastCell[0];
            // 2. queries in this warm process: the same lookup as 'vramplan query --model M --gpu G --mode X'
            Random r = new Random(42);
            List<String> gpus = new ArrayList<>(fleet.gpus().keySet());
            for (int q = 0; q < queries; q++) {
                String m = fleet.workloads()
                        .get(r.nextInt(fleet.workloads().size()))
                        .modelId();
                String g = gpus.get(r.nextInt(gpus.size()));
                String mode = r.nextBoolean() ? "train" : "inference";
                long t = System.nanoTime();
                long id = PlanAnswers.runId(store, null);
                store.cells(id, m, g, mode, false);
                warm.add((System.nanoTime() - t) / 1e6);
            }
        }
        Planner.Stats d = stats[0];

        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heap += pool.getPeakUsage().getUsed();
            }
        }
        long cells = d.cells();
        double planStoreS = (stored - opened) / 1e9;
        double sinkS = inSink[0] / 1e9;
        double jvmS = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
        double untilStored = jvmS - (System.nanoTime() - stored) / 1e9;
        double[] q = warm.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        out.printf(
                Locale.ROOT,
                "fleet:  %d card types x %d workloads x 2 modes = %,d cells, %d planning threads%n",
                cards,
                workloads,
                cells,
                nThreads);
        out.printf(
                Locale.ROOT,
                "rules:  planned and stored in %.2f s (%,.0f cells/s), %,d feasible, %,d candidates, %,d rule firings,"
                        + " %.2f s planning CPU%n",
                planStoreS,
                cells / planStoreS,
                d.feasible(),
                d.candidates(),
                d.firings(),
                d.cpuNanos() / 1e9);
        if (d.exhaustiveBecause() != null) {
            out.println("search: " + d.exhaustiveBecause());
        }
        out.printf(
                Locale.ROOT,
                "store:  %,d rows (run, cells with their trails) in %.2f s spent writing (%,.0f rows/s) and %.2f s"
                        + " committing, run %d in %s%n",
                cells + 1,
                sinkS,
                (cells + 1) / Math.max(sinkS, 1e-9),
                committing / 1e9,
                runId,
                db == null ? "a fresh H2 file" : PlanStore.redact(db));
        if (q.length > 0) {
            out.printf(
                    Locale.ROOT,
                    "query:  %,d warm queries (model, gpu, mode): median %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    q.length,
                    pct(q, 0.5),
                    pct(q, 0.99),
                    q[q.length - 1]);
        }
        out.printf(
                Locale.ROOT,
                "wall:   %.2f s from JVM start to the plan stored (catalog and rules %.2f s, JVM and start-up %.2f s);"
                        + " %.2f s in all; peak heap %,d MiB of %,d MiB%n",
                untilStored,
                (compiled - start) / 1e9,
                untilStored - (stored - start) / 1e9,
                jvmS,
                heap >> 20,
                Runtime.getRuntime().maxMemory() >> 20);
        out.println("targets:");
        target(
                out,
                cells >= TARGET_CELLS ? untilStored <= TARGET_WALL_S : null,
                String.format(
                        Locale.ROOT,
                        "200,000 cells planned and stored within %.0f s of JVM start: %,d cells in %.2f s",
                        TARGET_WALL_S,
                        cells,
                        untilStored));
        if (q.length > 0) {
            target(
                    out,
                    pct(q, 0.5) <= TARGET_WARM_QUERY_MS,
                    String.format(
                            Locale.ROOT,
                            "a query within %.0f ms in a warm process: median %.2f ms",
                            TARGET_WARM_QUERY_MS,
                            pct(q, 0.5)));
        }
        return Exits.OK;
    }

    private static void target(PrintWriter out, Boolean met, String what) {
        out.println("  " + (met == null ? "n/a " : met ? "MET " : "MISS") + "  " + what);
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
