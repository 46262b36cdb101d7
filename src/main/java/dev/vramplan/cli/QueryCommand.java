package dev.vramplan.cli;

import dev.vramplan.answer.PlanAnswers;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.input.Sizes;
import dev.vramplan.store.PlanStore;
import dev.vramplan.store.StoredCell;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "query",
        mixinStandardHelpOptions = true,
        description = "Prints the recommended settings for a model from the latest stored plan (or run N).",
        footer = {
            "",
            "Example: vramplan query --model yolov8s --gpu t4 --mode train --format json",
            "Exit code 3 when no stored recommendation is feasible."
        })
final class QueryCommand implements Callable<Integer> {
    enum Format {
        table,
        json,
        csv
    }

    @Option(names = "--model", paramLabel = "ID", description = "model id (required unless --matrix)")
    String model;

    @Option(
            names = "--matrix",
            description = "a workloads x cards table of recommended batch sizes (filters by --model, --mode)")
    boolean matrix;

    @Option(names = "--gpu", paramLabel = "ID", description = "card id (default: every card)")
    String gpu;

    @Option(names = "--mode", paramLabel = "train|inference", description = "job (default: both)")
    String mode;

    @Option(names = "--run", paramLabel = "N", description = "run id (default: the latest)")
    Long run;

    @Option(names = "--format", defaultValue = "table", description = "table, json or csv (default: ${DEFAULT-VALUE})")
    Format format;

    @picocli.CommandLine.Mixin
    DatabaseOption database;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PlanAnswers.checkMode(mode);
        if (model == null && !matrix) {
            throw new InvalidInputException("--model: give a model id, or --matrix for every workload");
        }
        PrintWriter out = spec.commandLine().getOut();
        List<StoredCell> cells;
        try (PlanStore store = PlanStore.openForReading(database.where())) {
            cells = PlanAnswers.query(store, run, model, gpu, mode);
        }
        if (matrix) {
            switch (format) {
                case json -> Json.print(out, matrixJson(cells));
                case csv -> printMatrixCsv(cells, out);
                default -> printMatrix(cells, out);
            }
            return Exits.OK;
        }
        switch (format) {
            case json -> Json.print(out, PlanAnswers.queryJson(cells));
            case csv -> {
                out.println(
                        "model,gpu,workload,mode,feasible,precision,resolution,seq_len,batch,grad_accum_steps,device_bytes,usable_bytes,utilization,rule,reason");
                for (StoredCell c : cells) {
                    out.println(String.join(
                            ",",
                            List.of(
                                    Table.csv(c.modelId()),
                                    Table.csv(c.gpuId()),
                                    Table.csv(c.workloadId()),
                                    Table.csv(c.mode()),
                                    Table.csv(c.feasible()),
                                    Table.csv(c.precision()),
                                    Table.csv(c.resolutionPx()),
                                    Table.csv(c.seqLenTokens()),
                                    Table.csv(c.batch()),
                                    Table.csv(c.gradAccumSteps()),
                                    Table.csv(c.deviceBytes()),
                                    Table.csv(c.usableBytes()),
                                    Table.csv(c.utilization()),
                                    Table.csv(c.rule()),
                                    Table.csv(c.reason()))));
                }
            }
            default -> printTable(cells, out);
        }
        if (cells.stream().noneMatch(StoredCell::feasible)) {
            throw new Exits.NothingFeasible("nothing feasible for " + (model == null ? "the matrix" : "model " + model)
                    + (gpu == null ? "" : " on " + gpu) + ": " + cells.get(0).reason());
        }
        return Exits.OK;
    }

    /** One row per cell: card, workload, mode, precision, input, batch, accumulation, cards, memory per GPU, share of the card, rule. */
    static void printTable(List<StoredCell> cells, PrintWriter out) {
        Table t = new Table(
                "gpu", "workload", "mode", "precision", "res/seq", "batch", "accum", "cards", "memory", "used", "rule");
        for (StoredCell c : cells) {
            t.add(
                    c.gpuId(),
                    c.workloadId(),
                    c.mode(),
                    c.feasible() ? c.precision() : "infeasible",
                    c.resolutionPx() != null
                            ? c.resolutionPx() + " px"
                            : c.seqLenTokens() != null ? c.seqLenTokens() + " tok" : null,
                    c.batch(),
                    c.gradAccumSteps(),
                    Table.cards(c.gpus(), c.strategy(), c.offload()),
                    c.deviceBytes() == null ? null : Sizes.human(c.deviceBytes()),
                    c.utilization() == null ? null : Table.percent(c.utilization()),
                    c.rule());
        }
        t.print(out);
    }

    /** The cards of a run in fleet order, and its cells by workload and card. */
    record Matrix(List<String> gpus, Map<String, Map<String, StoredCell>> rows) {
        static Matrix of(List<StoredCell> cells) {
            List<String> gpus = new ArrayList<>();
            Map<String, Map<String, StoredCell>> rows = new LinkedHashMap<>();
            for (StoredCell c : cells) {
                if (!gpus.contains(c.gpuId())) {
                    gpus.add(c.gpuId());
                }
                rows.computeIfAbsent(c.workloadId(), k -> new LinkedHashMap<>()).put(c.gpuId(), c);
            }
            return new Matrix(gpus, rows);
        }

        /** A cell as the table and the CSV show it: batch and precision, "-" where nothing is feasible. */
        static String shown(StoredCell c) {
            return c == null || !c.feasible() ? "-" : c.batch() + " " + c.precision();
        }
    }

    /** Workloads down, cards across, the recommended batch in each cell ("-" where nothing is feasible). */
    static void printMatrix(List<StoredCell> cells, PrintWriter out) {
        Matrix m = Matrix.of(cells);
        List<String> header = new ArrayList<>();
        header.add("workload");
        header.addAll(m.gpus());
        Table t = new Table(header.toArray(String[]::new));
        m.rows().forEach((w, byGpu) -> {
            List<Object> row = new ArrayList<>();
            row.add(w);
            for (String g : m.gpus()) {
                row.add(Matrix.shown(byGpu.get(g)));
            }
            t.add(row.toArray());
        });
        t.print(out);
    }

    /** The matrix as CSV: a header of "workload" and the cards, then one line per workload. */
    static void printMatrixCsv(List<StoredCell> cells, PrintWriter out) {
        Matrix m = Matrix.of(cells);
        List<String> header = new ArrayList<>(List.of("workload"));
        m.gpus().forEach(g -> header.add(Table.csv(g)));
        out.println(String.join(",", header));
        m.rows().forEach((w, byGpu) -> {
            List<String> row = new ArrayList<>(List.of(Table.csv(w)));
            for (String g : m.gpus()) {
                row.add(Table.csv(Matrix.shown(byGpu.get(g))));
            }
            out.println(String.join(",", row));
        });
    }

    /**
     * The matrix as JSON: one object per workload ({@code workload}, {@code model}, {@code mode}) with {@code gpus},
     * an object keyed by card id of {@code feasible}, {@code precision}, {@code batch}, {@code resolution},
     * {@code seq_len}, {@code utilization} and {@code rule}.
     */
    static List<Map<String, Object>> matrixJson(List<StoredCell> cells) {
        Matrix m = Matrix.of(cells);
        List<Map<String, Object>> out = new ArrayList<>();
        m.rows().forEach((w, byGpu) -> {
            StoredCell any = byGpu.values().iterator().next();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("workload", w);
            row.put("model", any.modelId());
            row.put("mode", any.mode());
            Map<String, Object> gpus = new LinkedHashMap<>();
            byGpu.forEach((g, c) -> {
                Map<String, Object> cell = new LinkedHashMap<>();
                cell.put("feasible", c.feasible());
                cell.put("precision", c.precision());
                cell.put("batch", c.batch());
                cell.put("resolution", c.resolutionPx());
                cell.put("seq_len", c.seqLenTokens());
                cell.put("gpus", c.gpus());
                cell.put("strategy", c.strategy());
                cell.put("utilization", c.utilization());
                cell.put("rule", c.rule());
                gpus.put(g, cell);
            });
            row.put("gpus", gpus);
            out.add(row);
        });
        return out;
    }
}
