package dev.vramplan.cli;

import dev.vramplan.answer.PlanAnswers;
import dev.vramplan.estimate.Component;
import dev.vramplan.store.PlanStore;
import dev.vramplan.store.StoredCell;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Exports every plan of a run with its memory breakdown, as CSV or JSON.",
        footer = {"", "Example: vramplan export --run 3 --format csv > plans.csv"})
final class ExportCommand implements Callable<Integer> {
    enum Format {
        csv,
        json
    }

    @Option(names = "--run", paramLabel = "N", description = "run id (default: the latest)")
    Long run;

    @Option(names = "--format", defaultValue = "csv", description = "csv or json (default: ${DEFAULT-VALUE})")
    Format format;

    @picocli.CommandLine.Mixin
    DatabaseOption database;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<StoredCell> cells;
        try (PlanStore store = PlanStore.openForReading(database.where())) {
            cells = store.cells(PlanAnswers.runId(store, run), null, null, null, false);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (format == Format.json) {
            List<Map<String, Object>> list = new ArrayList<>();
            cells.forEach(c -> list.add(PlanAnswers.json(c)));
            Json.print(out, list);
            return Exits.OK;
        }
        List<String> header = new ArrayList<>(List.of(
                "run",
                "gpu",
                "workload",
                "model",
                "mode",
                "feasible",
                "precision",
                "resolution",
                "seq_len",
                "batch",
                "grad_accum_steps",
                "gpus",
                "strategy",
                "offload",
                "max_concurrent_sequences",
                "peak_allocated_bytes",
                "reserved_bytes",
                "device_bytes",
                "device_bytes_high",
                "usable_bytes",
                "utilization"));
        for (Component k : Component.values()) {
            header.add(k.id() + "_bytes");
        }
        header.add("rule");
        header.add("reason");
        out.println(String.join(",", header));
        for (StoredCell c : cells) {
            List<String> row = new ArrayList<>();
            for (Object v : new Object[] {
                c.runId(),
                c.gpuId(),
                c.workloadId(),
                c.modelId(),
                c.mode(),
                c.feasible(),
                c.precision(),
                c.resolutionPx(),
                c.seqLenTokens(),
                c.batch(),
                c.gradAccumSteps(),
                c.gpus(),
                c.strategy(),
                c.offload(),
                c.maxConcurrentSequences(),
                c.peakAllocatedBytes(),
                c.reservedBytes(),
                c.deviceBytes(),
                c.deviceBytesHigh(),
                c.usableBytes(),
                c.utilization()
            }) {
                row.add(Table.csv(v));
            }
            for (Component k : Component.values()) {
                row.add(Table.csv(c.breakdown().get(k.id())));
            }
            row.add(Table.csv(c.rule()));
            row.add(Table.csv(c.reason()));
            out.println(String.join(",", row));
        }
        return Exits.OK;
    }
}
