package dev.vramplan.cli;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.input.Sizes;
import dev.vramplan.plan.CellPlan;
import dev.vramplan.plan.Fingerprints;
import dev.vramplan.plan.Planner;
import dev.vramplan.rules.RuleBase;
import dev.vramplan.store.PlanStore;
import dev.vramplan.store.RunInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "plan",
        mixinStandardHelpOptions = true,
        description = "Plans every card of the fleet x every workload under the rules, stores the plan and prints it.",
        footer = {"", "Example: vramplan plan --rules my-rules/ --db team.db"})
final class PlanCommand implements Callable<Integer> {
    @Mixin
    CatalogOption catalog;

    @Mixin
    RulesOption rules;

    @picocli.CommandLine.Mixin
    DatabaseOption database;

    @Option(names = "--quiet", description = "no progress line on a terminal's standard error")
    boolean quiet;

    @Option(names = "--timings", description = "print how long each phase took (to stderr)")
    boolean timings;

    @Option(
            names = "--exhaustive",
            description = "search every precision and input size, not only until the objective's"
                    + " best is found: for a choice rule that does not rank precision and input before batch")
    boolean exhaustive;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path catalogDir = catalog.dir();
        Path rulesDir = rules.dir();
        String where = database.where();
        long t0 = System.nanoTime();
        // opening the database (and loading its drivers) overlaps with reading the catalog and compiling the rules;
        // a failure before planning closes it untouched
        CompletableFuture<PlanStore> opening = CompletableFuture.supplyAsync(() -> {
            PlanStore s = PlanStore.open(where);
            s.latestRun();
            return s;
        });
        Catalog c;
        RuleBase rb;
        long t1;
        long t2;
        try {
            c = CatalogLoader.load(catalogDir);
            t1 = System.nanoTime();
            rb = RuleBase.load(rulesDir);
            t2 = System.nanoTime();
        } catch (RuntimeException e) {
            try {
                join(opening).close(); // the lock is released before the command says why it stopped
            } catch (RuntimeException notOpened) {
                // the input error is the one to report
            }
            throw e;
        }
        Fingerprints.Of fp = Fingerprints.of(c);
        RunInfo info = new RunInfo(
                Paths.shown(catalogDir),
                Paths.shown(rulesDir),
                Main.VERSION,
                System.getProperty("user.name"),
                host(),
                fp.catalog(),
                rb.fingerprint(),
                fp.gpus(),
                fp.models(),
                fp.workloads());
        Planner planner = new Planner(rb).exhaustive(exhaustive).parallel();
        long[] feasible = {0};
        long[] planned = {0};
        Planner.Stats[] stats = new Planner.Stats[1];
        long[] writing = {0};
        long runId;
        long opened;
        long saved;
        // cells are stored as they are planned, in the run's one transaction: a failure keeps nothing of the run
        try (SpooledTable t = new SpooledTable(
                "gpu",
                "workload",
                "mode",
                "precision",
                "res/seq",
                "batch",
                "accum",
                "cards",
                "memory",
                "used",
                "rule")) {
            try (PlanStore store = join(opening);
                    Progress progress = Progress.onStderr(
                            spec.commandLine().getErr(),
                            quiet,
                            "planning",
                            (long) c.fleetCards().size() * c.workloads().size())) {
                opened = System.nanoTime();
                runId = store.save(
                        info,
                        sink -> stats[0] = planner.plan(c, p -> {
                            row(t, p); // the cell itself goes: only its row waits, on disk, for the table's widths
                            planned[0]++;
                            if (p.feasible()) {
                                feasible[0]++;
                            }
                            long w = System.nanoTime();
                            sink.accept(p);
                            writing[0] += System.nanoTime() - w;
                            progress.step();
                        }));
                saved = System.nanoTime();
            }
            long t4 = System.nanoTime();
            if (timings) {
                spec.commandLine()
                        .getErr()
                        .printf(
                                Locale.ROOT,
                                "timings: catalog %.2f s, rules %.2f s, waiting for the database %.2f s,"
                                        + " planning and storing %.2f s (of which writing %.2f s), closing %.2f s%n",
                                (t1 - t0) / 1e9,
                                (t2 - t1) / 1e9,
                                (opened - t2) / 1e9,
                                (saved - opened) / 1e9,
                                writing[0] / 1e9,
                                (t4 - saved) / 1e9);
            }
            t.print(out);
        }
        if (stats[0].exhaustiveBecause() != null) {
            out.println("search: " + stats[0].exhaustiveBecause());
        }
        out.printf(
                Locale.ROOT,
                "run %d: %d cells planned (%d feasible, %d infeasible), %d candidates, %d rule firings; stored in %s%n",
                runId,
                planned[0],
                feasible[0],
                planned[0] - feasible[0],
                stats[0].candidates(),
                stats[0].firings(),
                where.startsWith("jdbc:") ? PlanStore.redact(where) : Paths.shown(Path.of(where)) + ".mv.db");
        return Exits.OK;
    }

    private static void row(SpooledTable t, CellPlan p) {
        if (p.feasible()) {
            t.add(
                    p.gpuId(),
                    p.workloadId(),
                    p.mode().id(),
                    p.precision(),
                    p.resolutionPx() != null ? p.resolutionPx() + " px" : p.seqLenTokens() + " tok",
                    p.batch(),
                    p.gradAccumSteps(),
                    Table.cards(p.gpus(), p.strategy(), p.offload()),
                    Sizes.human(p.estimate().deviceBytes()),
                    Table.percent(p.utilization()),
                    p.rule());
        } else {
            t.add(p.gpuId(), p.workloadId(), p.mode().id(), "infeasible", null, null, null, null, null, null, p.rule());
        }
    }

    /** The opened store, or the store's own exception (a StoreException names the database). */
    static PlanStore join(CompletableFuture<PlanStore> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    static String host() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
