package dev.vramplan.store;

import static dev.vramplan.store.generated.Tables.PLAN_CELL;
import static dev.vramplan.store.generated.Tables.PLAN_DECISION;
import static dev.vramplan.store.generated.Tables.PLAN_RUN;
import static dev.vramplan.store.generated.Tables.PLAN_TEXT;

import dev.vramplan.plan.Decision;
import dev.vramplan.store.generated.tables.records.PlanCellRecord;
import dev.vramplan.store.generated.tables.records.PlanDecisionRecord;
import dev.vramplan.store.generated.tables.records.PlanRunRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.impl.DSL;

/** Reads what is stored: runs, and the cells of a run with their trails (from before schema version 3 too). */
final class PlanReader {
    private final DSLContext dsl;
    private final String shown;

    PlanReader(DSLContext dsl, String shown) {
        this.dsl = dsl;
        this.shown = shown;
    }

    /** The latest run's id, if any run is stored. */
    Optional<Long> latestRun() {
        return Optional.ofNullable(dsl.select(DSL.max(PLAN_RUN.ID))
                .from(PLAN_RUN)
                .where(PLAN_RUN.COMPLETE.isTrue())
                .fetchOne()
                .value1());
    }

    /**
     * Cells of a run, filtered by model, gpu and mode (each optional); with their decision trails if asked; the first
     * {@code limit} in the order they were planned.
     */
    List<StoredCell> cells(long runId, String model, String gpu, String mode, boolean withTrail, int limit) {
        for (String v : new String[] {model, gpu, mode}) {
            if (v != null && v.indexOf('\0') >= 0) {
                return List.of(); // no stored id holds a NUL (and PostgreSQL refuses one in text)
            }
        }
        // the first cells of a run (limited): by the primary key in order, stopping at the limit. Through the index on
        // (run, model, gpu, mode), as an exact lookup goes, H2 would read every cell of the run to sort them by id
        Condition cond = limit == Integer.MAX_VALUE
                ? PLAN_CELL.RUN_ID.eq(runId)
                : PLAN_CELL.RUN_ID.plus(0L).eq(runId);
        if (model != null) {
            cond = cond.and(PLAN_CELL.MODEL_ID.eq(model));
        }
        if (gpu != null) {
            cond = cond.and(PLAN_CELL.GPU_ID.eq(gpu));
        }
        if (mode != null) {
            cond = cond.and(PLAN_CELL.JOB_MODE.eq(mode));
        }
        List<StoredCell> out = new ArrayList<>();
        Map<Long, List<Decision>> trails = new HashMap<>();
        List<Field<?>> columns = new ArrayList<>(List.of(PLAN_CELL.fields()));
        if (!withTrail) {
            columns.remove(PLAN_CELL.TRAIL); // a query reads no trails: they are most of a cell's bytes
        }
        boolean legacy;
        if (!withTrail) {
            legacy = false;
        } else if (limit == Integer.MAX_VALUE) {
            legacy = dsl.fetchExists(dsl.selectOne().from(PLAN_CELL).where(cond).and(PLAN_CELL.TRAIL.isNull()));
        } else { // only the cells asked for: a run of a million would be read whole
            Table<?> first = dsl.select(PLAN_CELL.ID, PLAN_CELL.TRAIL)
                    .from(PLAN_CELL)
                    .where(cond)
                    .orderBy(PLAN_CELL.ID)
                    .limit(limit)
                    .asTable("first_cells");
            legacy = dsl.fetchExists(dsl.selectOne()
                    .from(first)
                    .where(first.field(PLAN_CELL.TRAIL).isNull()));
        }
        if (legacy) { // a run stored before schema version 3: trails in plan_decision
            for (PlanDecisionRecord d : dsl.select(PLAN_DECISION.fields())
                    .from(PLAN_DECISION)
                    .join(PLAN_CELL)
                    .on(PLAN_DECISION.CELL_ID.eq(PLAN_CELL.ID))
                    .where(cond)
                    .orderBy(PLAN_DECISION.CELL_ID, PLAN_DECISION.SEQ)
                    .fetchInto(PLAN_DECISION)) {
                trails.computeIfAbsent(d.getCellId(), k -> new ArrayList<>())
                        .add(new Decision(
                                Decision.Kind.valueOf(d.getKind().toUpperCase(Locale.ROOT)),
                                d.getPrecisionName(),
                                d.getResolutionPx(),
                                d.getSeqLenTokens(),
                                d.getBatchSize(),
                                d.getDeviceBytes(),
                                d.getRuleName(),
                                d.getReason()));
            }
        }
        List<PlanCellRecord> records = dsl.select(columns)
                .from(PLAN_CELL)
                .where(cond)
                .orderBy(PLAN_CELL.ID)
                .limit(limit)
                .fetchInto(PLAN_CELL);
        IntFunction<String> texts = withTrail ? texts(runId, records)::get : i -> null;
        for (PlanCellRecord r : records) {
            List<Decision> trail;
            try {
                trail = !withTrail
                        ? List.of()
                        : r.getTrail() != null
                                ? TrailJson.read(r.getTrail(), texts)
                                : trails.getOrDefault(r.getId(), List.of());
            } catch (IllegalArgumentException e) {
                throw new StoreException(shown + ": cell " + r.getId() + ": " + e.getMessage(), e);
            }
            Map<String, Long> breakdown = new LinkedHashMap<>();
            if (r.getBreakdown() != null) {
                try {
                    breakdown = TrailJson.readBreakdown(r.getBreakdown());
                } catch (IllegalArgumentException e) {
                    throw new StoreException(shown + ": a stored breakdown is not readable", e);
                }
            }
            out.add(new StoredCell(
                    r.getRunId(),
                    r.getGpuId(),
                    r.getWorkloadId(),
                    r.getModelId(),
                    r.getJobMode(),
                    r.getFeasible(),
                    r.getPrecisionName(),
                    r.getResolutionPx(),
                    r.getSeqLenTokens(),
                    r.getBatchSize(),
                    r.getGradAccumSteps(),
                    r.getPeakAllocatedBytes(),
                    r.getReservedBytes(),
                    r.getDeviceBytes(),
                    r.getUsableBytes(),
                    r.getUtilization(),
                    breakdown,
                    r.getRuleName(),
                    r.getReason(),
                    trail,
                    r.getGpuSha(),
                    r.getModelSha(),
                    r.getWorkloadSha(),
                    // runs before version 5 planned one card
                    r.getGpus() != null ? r.getGpus() : r.getFeasible() ? Integer.valueOf(1) : null,
                    r.getStrategy() != null ? r.getStrategy() : r.getFeasible() ? "single" : null,
                    r.getOffload() != null ? r.getOffload() : r.getFeasible() ? "none" : null,
                    r.getMaxConcurrentSequences(),
                    r.getDeviceBytesHigh(),
                    r.getBandConfidence(),
                    r.getBandGroup(),
                    r.getBandPoints()));
        }
        return out;
    }

    /** The distinct ids of one column of a run's cells (for "did you mean" when a query matches nothing). */
    SortedSet<String> ids(long runId, PlanStore.IdColumn column) {
        TableField<PlanCellRecord, String> f =
                switch (column) {
                    case MODEL -> PLAN_CELL.MODEL_ID;
                    case GPU -> PLAN_CELL.GPU_ID;
                    case WORKLOAD -> PLAN_CELL.WORKLOAD_ID;
                };
        return new TreeSet<>(dsl.selectDistinct(f)
                .from(PLAN_CELL)
                .where(PLAN_CELL.RUN_ID.eq(runId))
                .fetch(f));
    }

    /** Every run, newest first. */
    List<StoredRun> runs() {
        return dsl.selectFrom(PLAN_RUN)
                .where(PLAN_RUN.COMPLETE.isTrue())
                .orderBy(PLAN_RUN.ID.desc())
                .fetch(PlanReader::run);
    }

    Optional<StoredRun> run(long id) {
        return dsl.selectFrom(PLAN_RUN)
                .where(PLAN_RUN.ID.eq(id).and(PLAN_RUN.COMPLETE.isTrue()))
                .fetchOptional(PlanReader::run);
    }

    private static StoredRun run(PlanRunRecord r) {
        return new StoredRun(
                r.getId(),
                r.getStartedAt(),
                r.getUserName(),
                r.getHostName(),
                r.getCatalogDir(),
                r.getRulesDir(),
                r.getCatalogSha(),
                r.getRulesSha(),
                r.getToolVersion(),
                r.getCells(),
                r.getFeasible());
    }

    /** Number of runs stored (for tests and listings). */
    int runCount() {
        return dsl.fetchCount(PLAN_RUN, PLAN_RUN.COMPLETE.isTrue());
    }

    /** Cells read with their trails at most this many ask for the texts their trails name, more for all the run's. */
    static final int FEW_CELLS = 64;

    /**
     * The run's texts the trails of {@code records} refer to: for a few cells (an {@code explain}) the ones they name,
     * for many all of the run's (a run has tens of thousands: a number for every distinct reason).
     */
    private Map<Integer, String> texts(long runId, List<PlanCellRecord> records) {
        Condition which = PLAN_TEXT.RUN_ID.eq(runId);
        if (records.size() <= FEW_CELLS) {
            Set<Integer> ids = new TreeSet<>();
            for (PlanCellRecord r : records) {
                if (r.getTrail() != null) {
                    try {
                        TrailJson.textIds(r.getTrail(), ids);
                    } catch (IllegalArgumentException e) {
                        throw new StoreException(shown + ": cell " + r.getId() + ": " + e.getMessage(), e);
                    }
                }
            }
            if (ids.isEmpty()) {
                return Map.of();
            }
            which = which.and(PLAN_TEXT.ID.in(ids));
        }
        Map<Integer, String> out = new HashMap<>();
        dsl.select(PLAN_TEXT.ID, PLAN_TEXT.TEXT)
                .from(PLAN_TEXT)
                .where(which)
                .forEach(t -> out.put(t.value1(), t.value2()));
        return out;
    }
}
