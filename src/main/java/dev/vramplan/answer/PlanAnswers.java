package dev.vramplan.answer;

import dev.vramplan.plan.Decision;
import dev.vramplan.store.PlanStore;
import dev.vramplan.store.StoredCell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code query} and {@code explain} answer from a stored plan, and the JSON they print: the command line and
 * {@code /api/query}, {@code /api/explain} call these, so both give the same answer to the same question.
 */
public final class PlanAnswers {
    private PlanAnswers() {}

    /** A mode given with {@code --mode} ({@code mode=}): train, inference, or none. */
    public static String checkMode(String mode) {
        if (mode != null && !mode.equals("train") && !mode.equals("inference")) {
            throw FieldError.bad("mode", "--mode", "\"" + mode + "\" is not a mode: use train or inference", null);
        }
        return mode;
    }

    /** The run to read: the one asked for (which must exist), or the latest. */
    public static long runId(PlanStore store, Long run) {
        if (run != null) {
            if (store.run(run).isEmpty()) {
                throw FieldError.unknown("run", "--run", "there is no run " + run + " in the database", null);
            }
            return run;
        }
        return store.latestRun().orElseThrow(() -> new NotFound("no plan is stored yet: run 'vramplan plan' first"));
    }

    /**
     * The cells {@code query} reads: of a run (default the latest), for a model (or every one), a card and a mode.
     * Ids the run does not hold are a {@link FieldError}; known ids with nothing stored for them, {@link NotFound}.
     */
    public static List<StoredCell> query(PlanStore store, Long run, String model, String gpu, String mode) {
        checkMode(mode);
        long id = runId(store, run);
        List<StoredCell> cells = store.cells(id, model, gpu, mode, false);
        if (cells.isEmpty()) {
            StoredIds.check(store, id, model, gpu);
            List<String> asked = new ArrayList<>();
            for (String[] kv : new String[][] {{"model", model}, {"gpu", gpu}, {"mode", mode}}) {
                if (kv[1] != null) {
                    asked.add(kv[0] + " " + kv[1]);
                }
            }
            throw new NotFound("no stored plan matches " + (asked.isEmpty() ? "anything" : String.join(", ", asked)));
        }
        return cells;
    }

    /** The cells {@code explain} reads, with their decision trails; as {@link #query}, for one model on one card. */
    public static List<StoredCell> explain(PlanStore store, Long run, String model, String gpu, String mode) {
        checkMode(mode);
        long id = runId(store, run);
        List<StoredCell> cells = store.cells(id, model, gpu, mode, true);
        if (cells.isEmpty()) {
            StoredIds.check(store, id, model, gpu);
            throw new NotFound(
                    "no stored plan matches model " + model + " on " + gpu + (mode == null ? "" : " (" + mode + ")"));
        }
        return cells;
    }

    /** {@code query --format json}: one object per cell. */
    public static List<Map<String, Object>> queryJson(List<StoredCell> cells) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (StoredCell c : cells) {
            list.add(json(c));
        }
        return list;
    }

    /** {@code explain --format json}: one object per cell, with its {@code decisions}. */
    public static List<Map<String, Object>> explainJson(List<StoredCell> cells) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (StoredCell c : cells) {
            Map<String, Object> m = json(c);
            m.put("decisions", decisions(c));
            list.add(m);
        }
        return list;
    }

    /** A stored cell's band as estimate --format json shows one: confidence, group, points. */
    static Map<String, Object> band(StoredCell c) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("confidence", c.bandConfidence());
        b.put("group", c.bandGroup());
        b.put("points", c.bandPoints());
        return b;
    }

    /** A cell as {@code query --format json} prints it. */
    public static Map<String, Object> json(StoredCell c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", c.runId());
        m.put("model", c.modelId());
        m.put("gpu", c.gpuId());
        m.put("workload", c.workloadId());
        m.put("mode", c.mode());
        m.put("feasible", c.feasible());
        m.put("precision", c.precision());
        m.put("batch", c.batch());
        m.put("resolution", c.resolutionPx());
        m.put("seq_len", c.seqLenTokens());
        m.put("grad_accum_steps", c.gradAccumSteps());
        m.put("gpus", c.gpus());
        m.put("strategy", c.strategy());
        m.put("offload", c.offload());
        if (c.maxConcurrentSequences() != null) {
            m.put("max_concurrent_sequences", c.maxConcurrentSequences());
        }
        m.put("peak_allocated_bytes", c.peakAllocatedBytes());
        m.put("reserved_bytes", c.reservedBytes());
        m.put("device_bytes", c.deviceBytes());
        m.put("device_bytes_high", c.deviceBytesHigh());
        m.put("band", c.bandGroup() == null ? null : band(c));
        m.put("usable_bytes", c.usableBytes());
        m.put("utilization", c.utilization());
        m.put("breakdown", c.breakdown());
        m.put("rule", c.rule());
        m.put("reason", c.reason());
        return m;
    }

    /** The decision trail of a cell as JSON objects: what was decided on, by which rule, why and the memory behind it. */
    public static List<Map<String, Object>> decisions(StoredCell c) {
        List<Map<String, Object>> trail = new ArrayList<>();
        for (Decision d : c.trail()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("kind", d.kind().name().toLowerCase(Locale.ROOT));
            dm.put("precision", d.precision());
            dm.put("resolution", d.resolutionPx());
            dm.put("seq_len", d.seqLenTokens());
            dm.put("batch", d.batch());
            if (d.layout() != null) {
                dm.put("layout", d.layout());
            }
            dm.put("device_bytes", d.deviceBytes());
            dm.put("usable_bytes", c.usableBytes());
            dm.put("rule", d.rule());
            dm.put("reason", d.reason());
            trail.add(dm);
        }
        return trail;
    }
}
