package dev.vramplan.store;

import static dev.vramplan.store.generated.Tables.PLAN_CELL;
import static dev.vramplan.store.generated.Tables.PLAN_DECISION;
import static dev.vramplan.store.generated.Tables.PLAN_RUN;
import static dev.vramplan.store.generated.Tables.PLAN_TEXT;

import dev.vramplan.plan.CellPlan;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.Consumer;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * Writes one planning run: the run row, its cells as planning produces them ({@link CellWriter}), then marks it
 * complete. A run that fails is taken back; one left incomplete by a killed planner is removed by a later run.
 */
final class RunWriter {
    private final DSLContext dsl;
    private final Connection connection;
    private final SQLDialect dialect;
    private final Database database;
    private final String shown;

    RunWriter(DSLContext dsl, Connection connection, SQLDialect dialect, Database database, String shown) {
        this.dsl = dsl;
        this.connection = connection;
        this.dialect = dialect;
        this.database = database;
        this.shown = shown;
    }

    /** How long an incomplete run in a shared (non-H2) database may be in progress before the next run removes it. */
    static final Duration ABANDONED_AFTER = Duration.ofDays(1);

    long insert(RunInfo info, Consumer<Consumer<CellPlan>> planning) {
        long runId = -1;
        boolean auto = true;
        try {
            auto = connection.getAutoCommit();
            connection.setAutoCommit(false);
            removeAbandonedRuns();
            runId = dsl.insertInto(PLAN_RUN)
                    .set(PLAN_RUN.STARTED_AT, OffsetDateTime.now(ZoneOffset.UTC))
                    .set(PLAN_RUN.CATALOG_DIR, info.catalogDir())
                    .set(PLAN_RUN.RULES_DIR, info.rulesDir())
                    .set(PLAN_RUN.TOOL_VERSION, info.toolVersion())
                    .set(PLAN_RUN.USER_NAME, info.user())
                    .set(PLAN_RUN.HOST_NAME, info.host())
                    .set(PLAN_RUN.CATALOG_SHA, info.catalogSha())
                    .set(PLAN_RUN.RULES_SHA, info.rulesSha())
                    .set(PLAN_RUN.CELLS, 0)
                    .set(PLAN_RUN.FEASIBLE, 0)
                    .set(PLAN_RUN.COMPLETE, false)
                    .returningResult(PLAN_RUN.ID)
                    .fetchOne()
                    .value1();
            connection.commit();
            CellWriter w = new CellWriter(dsl, connection, runId, info);
            planning.accept(w::add);
            w.flush();
            dsl.update(PLAN_RUN)
                    .set(PLAN_RUN.CELLS, w.cells)
                    .set(PLAN_RUN.FEASIBLE, w.feasible)
                    .set(PLAN_RUN.COMPLETE, true)
                    .where(PLAN_RUN.ID.eq(runId))
                    .execute();
            connection.commit();
            return runId;
        } catch (SQLException | DataAccessException e) {
            abandon(runId);
            Throwable cause = e instanceof DataAccessException && e.getCause() != null ? e.getCause() : e;
            throw new StoreException(
                    shown + ": the plan could not be stored (nothing was written): "
                            + PlanStore.firstLine(cause.getMessage()),
                    e);
        } catch (RuntimeException | Error e) {
            abandon(runId);
            throw e;
        } finally {
            try {
                connection.setAutoCommit(auto);
            } catch (SQLException e) {
                // the connection is broken: the next statement says so
            }
        }
    }

    /** Takes back what a failed run wrote; if even that fails, the run stays incomplete, unseen, for the next run to remove. */
    private void abandon(long runId) {
        if (database.copyOnWrite()) {
            database.discard(); // the working copy goes; the file was never touched
            return;
        }
        try {
            connection.rollback();
            if (runId >= 0) {
                deleteRun(runId);
                connection.commit();
            }
        } catch (SQLException | RuntimeException e) {
            // the database refuses writes (a full disk, a broken connection): the run is incomplete and never shown
        }
    }

    private void deleteRun(long runId) {
        dsl.deleteFrom(PLAN_DECISION)
                .where(PLAN_DECISION.CELL_ID.in(
                        DSL.select(PLAN_CELL.ID).from(PLAN_CELL).where(PLAN_CELL.RUN_ID.eq(runId))))
                .execute();
        dsl.deleteFrom(PLAN_CELL).where(PLAN_CELL.RUN_ID.eq(runId)).execute();
        dsl.deleteFrom(PLAN_TEXT).where(PLAN_TEXT.RUN_ID.eq(runId)).execute();
        dsl.deleteFrom(PLAN_RUN).where(PLAN_RUN.ID.eq(runId)).execute();
    }

    /**
     * Removes runs that were never completed (a planner killed mid-run). An H2 file is open in one process only, so
     * every incomplete run in it is dead; in a shared database one may still be in progress, so only old ones go.
     */
    private void removeAbandonedRuns() throws SQLException {
        Condition dead = PLAN_RUN.COMPLETE.isFalse();
        if (dialect != SQLDialect.H2) {
            dead = dead.and(
                    PLAN_RUN.STARTED_AT.lt(OffsetDateTime.now(ZoneOffset.UTC).minus(ABANDONED_AFTER)));
        }
        for (Long id : dsl.select(PLAN_RUN.ID).from(PLAN_RUN).where(dead).fetch(PLAN_RUN.ID)) {
            deleteRun(id);
        }
        connection.commit();
    }
}
