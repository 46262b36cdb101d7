package dev.vramplan.store;

import static dev.vramplan.store.generated.Tables.PLAN_CELL;
import static dev.vramplan.store.generated.Tables.PLAN_TEXT;

import dev.vramplan.plan.CellPlan;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jooq.BatchBindStep;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.exception.DataAccessException;

/**
 * Buffers cells and writes them with one statement rendered once and bound per cell, {@link PlanStore#BATCH} at a time,
 * each batch in a transaction of its own.
 */
final class CellWriter {
    /** The columns a cell is written with, in the order {@link #add} binds them. */
    private static final Field<?>[] WRITTEN = {
        PLAN_CELL.RUN_ID,
        PLAN_CELL.GPU_ID,
        PLAN_CELL.WORKLOAD_ID,
        PLAN_CELL.MODEL_ID,
        PLAN_CELL.JOB_MODE,
        PLAN_CELL.FEASIBLE,
        PLAN_CELL.PRECISION_NAME,
        PLAN_CELL.RESOLUTION_PX,
        PLAN_CELL.SEQ_LEN_TOKENS,
        PLAN_CELL.BATCH_SIZE,
        PLAN_CELL.GRAD_ACCUM_STEPS,
        PLAN_CELL.PEAK_ALLOCATED_BYTES,
        PLAN_CELL.RESERVED_BYTES,
        PLAN_CELL.DEVICE_BYTES,
        PLAN_CELL.UTILIZATION,
        PLAN_CELL.BREAKDOWN,
        PLAN_CELL.USABLE_BYTES,
        PLAN_CELL.RULE_NAME,
        PLAN_CELL.REASON,
        PLAN_CELL.GPU_SHA,
        PLAN_CELL.MODEL_SHA,
        PLAN_CELL.WORKLOAD_SHA,
        PLAN_CELL.TRAIL,
        PLAN_CELL.GPUS,
        PLAN_CELL.STRATEGY,
        PLAN_CELL.OFFLOAD,
        PLAN_CELL.MAX_CONCURRENT_SEQUENCES,
        PLAN_CELL.DEVICE_BYTES_HIGH,
        PLAN_CELL.BAND_CONFIDENCE,
        PLAN_CELL.BAND_GROUP,
        PLAN_CELL.BAND_POINTS
    };

    /** JDBC types of {@link #WRITTEN}, for nulls and for values alike. */
    private static final int[] SQL_TYPES =
            Arrays.stream(WRITTEN).mapToInt(f -> f.getDataType().getSQLType()).toArray();

    final DSLContext tx;
    final Connection connection;
    final long runId;
    final RunInfo info;
    final List<Object[]> rows = new ArrayList<>(PlanStore.BATCH);
    final TrailJson.Texts texts = new TrailJson.Texts();
    int cells;
    int feasible;

    CellWriter(DSLContext tx, Connection connection, long runId, RunInfo info) {
        this.tx = tx;
        this.connection = connection;
        this.runId = runId;
        this.info = info;
    }

    void add(CellPlan c) {
        var e = c.estimate();
        rows.add(new Object[] {
            runId,
            c.gpuId(),
            c.workloadId(),
            c.modelId(),
            c.mode().id(),
            c.feasible(),
            c.precision(),
            c.resolutionPx(),
            c.seqLenTokens(),
            c.batch(),
            c.gradAccumSteps(),
            e == null ? null : e.peakAllocatedBytes(),
            e == null ? null : e.reservedBytes(),
            e == null ? null : e.deviceBytes(),
            e == null ? null : e.utilization(),
            e == null ? null : TrailJson.breakdown(e.breakdown()),
            c.usableBytes(),
            c.rule(),
            c.reason(),
            info.gpuSha().get(c.gpuId()),
            info.modelSha().get(c.modelId()),
            info.workloadSha().get(c.workloadId()),
            TrailJson.write(c.trail(), texts),
            c.gpus(),
            c.strategy(),
            c.offload(),
            c.maxConcurrentSequences(),
            c.deviceBytesHigh(),
            c.band() == null ? null : c.band().confidence(),
            c.band() == null ? null : c.band().group(),
            c.band() == null ? null : c.band().points()
        });
        cells++;
        if (c.feasible()) {
            feasible++;
        }
        if (rows.size() >= PlanStore.BATCH) {
            flush();
        }
    }

    void flush() {
        if (rows.isEmpty()) {
            return;
        }
        List<String> fresh = texts.fresh();
        if (!fresh.isEmpty()) {
            BatchBindStep b = tx.batch(tx.insertInto(PLAN_TEXT, PLAN_TEXT.RUN_ID, PLAN_TEXT.ID, PLAN_TEXT.TEXT)
                    .values((Long) null, null, null));
            int first = texts.size() - fresh.size();
            for (int i = 0; i < fresh.size(); i++) {
                b.bind(runId, first + i, fresh.get(i));
            }
            b.execute();
        }
        // jOOQ renders the statement once; the rows are bound straight to its JDBC statement, which costs a
        // fraction of binding each value through jOOQ's converters (a large run writes 200,000 of them)
        String sql = tx.render(tx.insertInto(PLAN_CELL, WRITTEN).values(new Object[WRITTEN.length]));
        tx.connection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (Object[] r : rows) {
                    for (int i = 0; i < r.length; i++) {
                        if (r[i] == null) {
                            ps.setNull(i + 1, SQL_TYPES[i]);
                        } else {
                            ps.setObject(i + 1, r[i], SQL_TYPES[i]);
                        }
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
        rows.clear();
        try {
            connection.commit(); // the run is still incomplete: nobody sees these cells yet
        } catch (SQLException e) {
            throw new DataAccessException(e.getMessage(), e);
        }
    }
}
