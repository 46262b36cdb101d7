package dev.vramplan.cli;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.plan.CellPlan;
import dev.vramplan.plan.PlanResult;
import dev.vramplan.plan.Planner;
import dev.vramplan.plan.SyntheticFleet;
import dev.vramplan.rules.JavaPolicy;
import dev.vramplan.rules.RuleBase;
import dev.vramplan.store.PlanStore;
import dev.vramplan.store.RunInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Plans a synthetic fleet of N card types x M workloads (both modes) into a fresh H2 file and prints"
                + " how fast; then plans it again with the plain-Java twin of the shipped policy and compares.",
        footer = {"", "Example: vramplan bench --cards 20 --workloads 100"})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--cards", defaultValue = "20", description = "card types (default: ${DEFAULT-VALUE})")
    int cards;
    @Option(names = "--workloads", defaultValue = "100", description = "workloads, each planned for training and inference (default: ${DEFAULT-VALUE})")
    int workloads;
    @Option(names = "--catalog", paramLabel = "DIR")
    Path catalog;
    @Option(names = "--rules", paramLabel = "DIR")
    Path rules;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (cards < 1 || workloads < 1 || (long) cards * workloads > 1_000_000) {
            throw new dev.vramplan.catalog.InvalidInputException("--cards and --workloads: between 1 and 1,000,000 cells in all");
        }
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        Catalog base = CatalogLoader.load(Paths.catalog(catalog));
        Catalog fleet = SyntheticFleet.of(base, cards, workloads);
        RuleBase rb = RuleBase.load(Paths.rules(rules));
        long compiled = System.nanoTime();
        PlanResult drools = new Planner(rb).plan(fleet);
        long planned = System.nanoTime();
        Path dir = Files.createTempDirectory("vramplan-bench");
        long rows;
        try (PlanStore store = PlanStore.open(dir.resolve("bench").toString())) {
            store.save(drools, RunInfo.of("synthetic", "rules", Main.VERSION));
            rows = 1 + drools.cells().size() + drools.cells().stream().mapToLong(c -> c.trail().size()).sum();
        }
        long stored = System.nanoTime();
        PlanResult java = new Planner(JavaPolicy::new).plan(fleet);
        long javaDone = System.nanoTime();
        int agree = 0;
        for (int i = 0; i < drools.cells().size(); i++) {
            if (same(drools.cells().get(i), java.cells().get(i))) {
                agree++;
            }
        }
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heap += pool.getPeakUsage().getUsed();
            }
        }
        int cells = drools.cells().size();
        double planS = (planned - compiled) / 1e9;
        double storeS = (stored - planned) / 1e9;
        double javaS = (javaDone - stored) / 1e9;
        out.printf(Locale.ROOT, "fleet: %d card types x %d workloads x 2 modes = %,d cells%n", cards, workloads, cells);
        out.printf(Locale.ROOT, "drools: planned in %.2f s (%,.0f cells/s), %,d candidates, %,d rule firings%n",
                planS, cells / planS, drools.candidates(), drools.firings());
        out.printf(Locale.ROOT, "store:  %,d rows in %.2f s (%,.0f rows/s) into a fresh H2 file%n", rows, storeS, rows / storeS);
        out.printf(Locale.ROOT, "java:   planned in %.2f s (%,.0f cells/s): the rules engine costs %.1fx%n", javaS, cells / javaS, planS / javaS);
        out.printf(Locale.ROOT, "agree:  %,d of %,d cells the same (precision, input, batch, accumulation, deciding rule)%n", agree, cells);
        out.printf(Locale.ROOT, "wall:   %.2f s in this process (catalog and rules %.2f s); peak heap %,d MiB%n",
                (System.nanoTime() - start) / 1e9, (compiled - start) / 1e9, heap >> 20);
        return agree == cells ? Exits.OK : Exits.FAILURE;
    }

    static boolean same(CellPlan a, CellPlan b) {
        return a.feasible() == b.feasible() && Objects.equals(a.precision(), b.precision())
                && Objects.equals(a.resolutionPx(), b.resolutionPx()) && Objects.equals(a.seqLenTokens(), b.seqLenTokens())
                && Objects.equals(a.batch(), b.batch()) && Objects.equals(a.gradAccumSteps(), b.gradAccumSteps())
                && a.rule().equals(b.rule());
    }
}
