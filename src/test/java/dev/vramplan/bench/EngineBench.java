package dev.vramplan.bench;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.plan.CellPlan;
import dev.vramplan.plan.Planner;
import dev.vramplan.plan.SyntheticFleet;
import dev.vramplan.rules.JavaPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the rules engine costs: plans a synthetic fleet with the frozen copy of the shipped rules in Drools and with
 * their plain-Java twin, prints the planning CPU of each and their ratio, and compares cell for cell. A benchmark
 * that prints figures, not a test; it lives beside the tests because the twin does (it is not part of the product).
 *
 * <pre>MAVEN_OPTS=-Xmx2g mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.vramplan.bench.EngineBench -Dexec.args="--cards 100 --workloads 1000"</pre>
 */
public final class EngineBench {
    /** The target: Drools within this many times the planning CPU of plain Java. */
    static final double TARGET_ENGINE_RATIO = 3;

    private EngineBench() {}

    public static void main(String[] args) {
        int cards = 20;
        int workloads = 100;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i + 1 < args.length; i += 2) {
            int v = Integer.parseInt(args[i + 1]);
            switch (args[i]) {
                case "--cards" -> cards = v;
                case "--workloads" -> workloads = v;
                case "--threads" -> threads = v;
                default ->
                    throw new IllegalArgumentException(
                            "unknown option " + args[i] + " (--cards, --workloads, --threads)");
            }
        }
        Catalog fleet = SyntheticFleet.of(Shipped.catalog(), cards, workloads);
        List<CellPlan.Outcome> drools = new ArrayList<>();
        Planner.Stats d = new Planner(Shipped.frozenRules()).threads(threads).plan(fleet, c -> drools.add(c.outcome()));
        int[] k = {0};
        int[] agree = {0};
        Planner.Stats j = new Planner(JavaPolicy::new).threads(threads).plan(fleet, c -> {
            if (drools.get(k[0]++).equals(c.outcome())) {
                agree[0]++;
            }
        });
        double ratio = (double) d.cpuNanos() / Math.max(1, j.cpuNanos());
        System.out.printf(
                Locale.ROOT,
                "fleet:  %d card types x %d workloads x 2 modes = %,d cells, %d threads%n",
                cards,
                workloads,
                d.cells(),
                threads);
        System.out.printf(
                Locale.ROOT,
                "drools: %.2f s planning CPU, %,d candidates, %,d rule firings%n",
                d.cpuNanos() / 1e9,
                d.candidates(),
                d.firings());
        System.out.printf(
                Locale.ROOT, "java:   %.2f s planning CPU, %,d candidates%n", j.cpuNanos() / 1e9, j.candidates());
        System.out.printf(
                Locale.ROOT,
                "  %s  Drools within %.0fx of plain Java: %.1fx%n",
                ratio <= TARGET_ENGINE_RATIO ? "MET " : "MISS",
                TARGET_ENGINE_RATIO,
                ratio);
        System.out.printf(
                Locale.ROOT,
                "  %s  both agree on every cell: %,d of %,d%n",
                agree[0] == d.cells() ? "MET " : "MISS",
                agree[0],
                d.cells());
        if (agree[0] != d.cells()) {
            System.exit(1);
        }
    }
}
