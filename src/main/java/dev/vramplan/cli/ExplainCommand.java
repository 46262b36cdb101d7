package dev.vramplan.cli;

import dev.vramplan.answer.PlanAnswers;
import dev.vramplan.input.Sizes;
import dev.vramplan.plan.Decision;
import dev.vramplan.store.PlanStore;
import dev.vramplan.store.StoredCell;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        description = "Shows the decision trail of a stored plan: what won, what lost, and which rule decided.",
        footer = {"", "Example: vramplan explain --model llama-3-8b --gpu a10g --mode train"})
final class ExplainCommand implements Callable<Integer> {
    enum Format {
        text,
        json
    }

    @Option(names = "--model", required = true, paramLabel = "ID")
    String model;

    @Option(names = "--gpu", required = true, paramLabel = "ID")
    String gpu;

    @Option(names = "--mode", paramLabel = "train|inference")
    String mode;

    @Option(names = "--run", paramLabel = "N", description = "run id (default: the latest)")
    Long run;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
    Format format;

    @picocli.CommandLine.Mixin
    DatabaseOption database;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<StoredCell> cells;
        try (PlanStore store = PlanStore.openForReading(database.where())) {
            cells = PlanAnswers.explain(store, run, model, gpu, mode);
        }
        if (format == Format.json) {
            Json.print(out, PlanAnswers.explainJson(cells));
        } else {
            for (StoredCell c : cells) {
                printText(c, ", run " + c.runId(), out);
            }
        }
        return cells.stream().anyMatch(StoredCell::feasible) ? Exits.OK : Exits.NOTHING_FEASIBLE;
    }

    /** A cell's trail as text: what won and why, the memory, then one line per thing that lost. {@code where}: ", run 3". */
    static void printText(StoredCell c, String where, PrintWriter out) {
        out.printf(
                "%s on %s (%s)%s, card memory %s%n",
                c.workloadId(), c.gpuId(), c.mode(), where, Sizes.human(c.usableBytes()));
        if (c.feasible()) {
            boolean several = c.gpus() != null && (c.gpus() > 1 || !"none".equals(c.offload()));
            out.printf(
                    "  chosen: %s, %s, %s %d%s%s, needs %s%s (%.0f%% of the card)%n",
                    c.precision(),
                    c.resolutionPx() != null ? c.resolutionPx() + " px" : c.seqLenTokens() + " tokens",
                    c.maxConcurrentSequences() != null ? "concurrent sequences" : "batch",
                    c.batch(),
                    several
                            ? " on "
                                    + Table.cards(c.gpus(), c.strategy(), c.offload())
                                            .replaceFirst(" ", " GPUs, ")
                            : "",
                    c.gradAccumSteps() != null && c.gradAccumSteps() > 1
                            ? " x " + c.gradAccumSteps() + " accumulation steps"
                            : "",
                    Sizes.human(c.deviceBytes()),
                    several ? " per GPU" : "",
                    100 * c.utilization());
            if (c.deviceBytesHigh() != null) {
                out.printf(
                        Locale.ROOT,
                        "  band: estimate %s, up to %s at %.0f%% confidence (group %s, %d measured points)%n",
                        Sizes.human(c.deviceBytes()),
                        Sizes.human(c.deviceBytesHigh()),
                        100 * c.bandConfidence(),
                        c.bandGroup(),
                        c.bandPoints());
            }
            out.printf("    by \"%s\": %s%n", c.rule(), c.reason());
            out.print("  memory:");
            c.breakdown().forEach((k, v) -> {
                if (v > 0) {
                    out.print(" " + k + " " + Sizes.human(v) + ";");
                }
            });
            out.println();
        } else {
            out.printf("  infeasible, by \"%s\": %s%n", c.rule(), c.reason());
        }
        out.println("  decisions:");
        // one line per thing decided on: a candidate two rules rejected is one line naming both
        Map<String, List<Decision>> groups = new LinkedHashMap<>();
        for (Decision d : c.trail()) {
            if (d.kind() == Decision.Kind.CHOOSE) {
                continue;
            }
            String key = d.kind() + "|" + d.layout() + "|" + d.precision() + "|" + d.resolutionPx() + "|"
                    + d.seqLenTokens() + "|" + d.batch() + (d.kind() == Decision.Kind.SETTING ? "|" + d.rule() : "");
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(d);
        }
        for (List<Decision> g : groups.values()) {
            Decision d = g.get(0);
            StringBuilder what = new StringBuilder();
            if (d.layout() != null) {
                what.append(d.layout()); // the cards: why fewer (or more) cards lost
            }
            if (d.precision() != null) {
                what.append(what.length() > 0 ? ", " : "").append(d.precision());
            }
            if (d.batch() != null) {
                what.append(", ")
                        .append(d.resolutionPx() != null ? d.resolutionPx() + " px" : d.seqLenTokens() + " tokens")
                        .append(", batch ")
                        .append(d.batch());
            }
            if (d.deviceBytes() != null) {
                what.append(" [")
                        .append(Sizes.human(d.deviceBytes()))
                        .append(" of ")
                        .append(Sizes.human(c.usableBytes()))
                        .append("]");
            }
            String reasons = String.join(
                    "; ", g.stream().map(Decision::reason).distinct().toList());
            String rules =
                    String.join("; ", g.stream().map(Decision::rule).distinct().toList());
            out.printf(
                    "    %-10s %s%s  [%s]%n",
                    d.kind().name().toLowerCase(Locale.ROOT), what.length() == 0 ? "" : what + ": ", reasons, rules);
        }
    }
}
