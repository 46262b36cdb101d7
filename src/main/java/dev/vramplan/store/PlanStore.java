package dev.vramplan.store;

import dev.vramplan.estimate.Component;
import dev.vramplan.plan.CellPlan;
import dev.vramplan.plan.Decision;
import dev.vramplan.plan.PlanResult;
import dev.vramplan.store.generated.tables.records.PlanCellRecord;
import dev.vramplan.store.generated.tables.records.PlanDecisionRecord;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import static dev.vramplan.store.generated.Tables.PLAN_CELL;
import static dev.vramplan.store.generated.Tables.PLAN_DECISION;
import static dev.vramplan.store.generated.Tables.PLAN_RUN;
import static dev.vramplan.store.generated.Tables.PLAN_TEXT;

/**
 * Plans in a database through jOOQ: an H2 file by default, or any JDBC URL (PostgreSQL for a shared store).
 * The only class that sees generated code or SQL; it takes and returns the planner's records.
 */
public final class PlanStore implements AutoCloseable {
    private static final Settings SETTINGS = new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER)
            .withExecuteLogging(false).withRenderSchema(false);

    private final Database database;
    private final String shown;
    private final SQLDialect dialect;
    private Connection connection;
    private DSLContext dsl;

    private PlanStore(Database database) {
        this.database = database;
        this.shown = database.shown;
        this.dialect = database.dialect;
    }

    /** The JDBC URL for {@code --db}: a JDBC URL as given, or a path to an H2 file (".mv.db" is added by H2). */
    public static String url(String db) {
        Path base = Database.base(db);
        return base == null ? db : "jdbc:h2:file:" + base;
    }

    /** A database name for messages: a JDBC URL without its password. */
    public static String redact(String db) {
        return db.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /**
     * Opens (creating if needed) the database to store plans in and brings its schema up to date. An H2 file is
     * locked for this process's writes until {@link #close}; what it stores becomes visible run by run.
     */
    public static PlanStore open(String db) {
        return open(() -> Database.forWriting(db, redact(db)));
    }

    /**
     * Opens the database for a command that only reads plans: beside other readers and beside a plan being
     * stored. A database that does not exist is a {@link MissingDatabaseException}, never created.
     */
    public static PlanStore openForReading(String db) {
        return open(() -> Database.forReading(db, redact(db)));
    }

    private static PlanStore open(java.util.function.Supplier<Database> opener) {
        Database database = opener.get();
        PlanStore store = new PlanStore(database);
        // the database opens on its own thread while this one loads jOOQ and the generated tables: on a cold JVM
        // each takes a fifth of a second, and a query needs both
        CompletableFuture<Connection> opening = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                opening.complete(database.connection());
            } catch (Throwable e) {
                opening.completeExceptionally(e);
            }
        }, "vramplan-db-open");
        t.setDaemon(true);
        t.start();
        DSL.using(database.dialect).render(DSL.selectFrom(PLAN_CELL).where(PLAN_CELL.RUN_ID.eq(0L)));
        try {
            await(opening);
            return store;
        } catch (SQLException e) {
            database.close();
            throw store.cannotOpen(e);
        } catch (RuntimeException | Error e) {
            database.close();
            throw e;
        }
    }

    private StoreException cannotOpen(SQLException e) {
        if (e.getErrorCode() == 90020) {                   // H2: DATABASE_ALREADY_OPEN_1
            return new StoreException(shown + ": the database is in use by another process (an H2 file opens in one process"
                    + " at a time): wait for it to finish, or give another --db", e);
        }
        if (e.getErrorCode() == 90146) {                   // H2: DATABASE_NOT_FOUND_WITH_IF_EXISTS_1
            return new MissingDatabaseException(shown + ": no database there: check --db (or VRAMPLAN_DB), or run"
                    + " 'vramplan plan' to store a first plan there");
        }
        return new StoreException(shown + ": cannot open the database: " + firstLine(e.getMessage()), e);
    }

    /** The connection and its jOOQ context (a writer on an H2 file opens a fresh working copy after each run it stores). */
    private DSLContext dsl() {
        try {
            Connection c = database.connection();
            if (c != connection) {
                connection = c;
                dsl = DSL.using(c, dialect, SETTINGS);
            }
            return dsl;
        } catch (SQLException e) {
            throw cannotOpen(e);
        }
    }

    private static void await(CompletableFuture<Connection> opening) throws SQLException {
        try {
            opening.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while opening the database", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new SQLException(cause);
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).replaceAll("\\s*\\[\\d+-\\d+\\]$", "");
    }

    public long save(PlanResult plan, String catalogDir, String rulesDir, String toolVersion) {
        return save(plan, RunInfo.of(catalogDir, rulesDir, toolVersion));
    }

    /** Stores a planning run in one transaction; returns its id. A failure leaves the database as it was. */
    public long save(PlanResult plan, RunInfo info) {
        return save(info, sink -> plan.cells().forEach(sink));
    }

    /** Cells written per JDBC batch. */
    static final int BATCH = 500;

    /**
     * Stores a planning run while {@code planning} produces it: {@code planning} is called once, inside the run's
     * transaction, with a sink for the cells in order. Cells go to the database in batches as they come, so a fleet
     * of any size is stored in bounded memory. If planning or storing fails, nothing of the run is kept and earlier
     * runs are intact. Returns the run's id.
     */
    public long save(RunInfo info, Consumer<Consumer<CellPlan>> planning) {
        long id = insert(info, planning);
        try {
            if (database.copyOnWrite()) {
                database.publish();            // closed by H2, synced, renamed over the file: stored whole or not at all
            } else if (dialect == SQLDialect.H2) {
                // H2 writes committed data to the file in the background; make it durable before saying "stored"
                dsl().execute("CHECKPOINT SYNC");
            }
        } catch (SQLException | org.jooq.exception.DataAccessException e) {
            Throwable cause = e instanceof org.jooq.exception.DataAccessException && e.getCause() != null ? e.getCause() : e;
            throw new StoreException(shown + ": the plan could not be written to disk (it is not stored; earlier runs are"
                    + " intact): " + firstLine(cause.getMessage()), e);
        }
        return id;
    }

    /** Cells written per transaction of a run: small enough that H2's commit stays cheap. */
    static final int COMMIT_EVERY = 5_000;

    /** How long an incomplete run in a shared (non-H2) database may be in progress before the next run removes it. */
    static final java.time.Duration ABANDONED_AFTER = java.time.Duration.ofDays(1);

    private long insert(RunInfo info, Consumer<Consumer<CellPlan>> planning) {
        long runId = -1;
        boolean auto = true;
        DSLContext dsl = dsl();
        Connection connection = this.connection;
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
                    .returningResult(PLAN_RUN.ID).fetchOne().value1();
            connection.commit();
            CellWriter w = new CellWriter(dsl, connection, runId, info);
            planning.accept(w::add);
            w.flush();
            dsl.update(PLAN_RUN).set(PLAN_RUN.CELLS, w.cells).set(PLAN_RUN.FEASIBLE, w.feasible).set(PLAN_RUN.COMPLETE, true)
                    .where(PLAN_RUN.ID.eq(runId)).execute();
            connection.commit();
            return runId;
        } catch (SQLException | org.jooq.exception.DataAccessException e) {
            abandon(runId);
            Throwable cause = e instanceof org.jooq.exception.DataAccessException && e.getCause() != null ? e.getCause() : e;
            throw new StoreException(shown + ": the plan could not be stored (nothing was written): " + firstLine(cause.getMessage()), e);
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
            database.discard();                // the working copy goes; the file was never touched
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
        DSLContext dsl = dsl();
        dsl.deleteFrom(PLAN_DECISION).where(PLAN_DECISION.CELL_ID.in(
                DSL.select(PLAN_CELL.ID).from(PLAN_CELL).where(PLAN_CELL.RUN_ID.eq(runId)))).execute();
        dsl.deleteFrom(PLAN_CELL).where(PLAN_CELL.RUN_ID.eq(runId)).execute();
        dsl.deleteFrom(PLAN_TEXT).where(PLAN_TEXT.RUN_ID.eq(runId)).execute();
        dsl.deleteFrom(PLAN_RUN).where(PLAN_RUN.ID.eq(runId)).execute();
    }

    /**
     * Removes runs that were never completed (a planner killed mid-run). An H2 file is open in one process only, so
     * every incomplete run in it is dead; in a shared database one may still be in progress, so only old ones go.
     */
    private void removeAbandonedRuns() throws SQLException {
        DSLContext dsl = dsl();
        Condition dead = PLAN_RUN.COMPLETE.isFalse();
        if (dialect != SQLDialect.H2) {
            dead = dead.and(PLAN_RUN.STARTED_AT.lt(OffsetDateTime.now(ZoneOffset.UTC).minus(ABANDONED_AFTER)));
        }
        for (Long id : dsl.select(PLAN_RUN.ID).from(PLAN_RUN).where(dead).fetch(PLAN_RUN.ID)) {
            deleteRun(id);
        }
        Connection connection = this.connection;
        connection.commit();
    }

    /** Buffers cells and writes them with one statement rendered once and bound per cell, {@link #BATCH} at a time. */
    private static final class CellWriter {
        /** The columns a cell is written with, in the order {@link #add} binds them. */
        private static final org.jooq.Field<?>[] WRITTEN = {PLAN_CELL.RUN_ID, PLAN_CELL.GPU_ID, PLAN_CELL.WORKLOAD_ID,
                PLAN_CELL.MODEL_ID, PLAN_CELL.JOB_MODE, PLAN_CELL.FEASIBLE, PLAN_CELL.PRECISION_NAME, PLAN_CELL.RESOLUTION_PX,
                PLAN_CELL.SEQ_LEN_TOKENS, PLAN_CELL.BATCH_SIZE, PLAN_CELL.GRAD_ACCUM_STEPS, PLAN_CELL.PEAK_ALLOCATED_BYTES,
                PLAN_CELL.RESERVED_BYTES, PLAN_CELL.DEVICE_BYTES, PLAN_CELL.UTILIZATION, PLAN_CELL.BREAKDOWN,
                PLAN_CELL.USABLE_BYTES, PLAN_CELL.RULE_NAME, PLAN_CELL.REASON, PLAN_CELL.GPU_SHA, PLAN_CELL.MODEL_SHA,
                PLAN_CELL.WORKLOAD_SHA, PLAN_CELL.TRAIL, PLAN_CELL.GPUS, PLAN_CELL.STRATEGY, PLAN_CELL.OFFLOAD,
                PLAN_CELL.MAX_CONCURRENT_SEQUENCES};

        /** JDBC types of {@link #WRITTEN}, for nulls and for values alike. */
        private static final int[] SQL_TYPES = java.util.Arrays.stream(WRITTEN)
                .mapToInt(f -> f.getDataType().getSQLType()).toArray();

        final DSLContext tx;
        final Connection connection;
        final long runId;
        final RunInfo info;
        final List<Object[]> rows = new ArrayList<>(BATCH);
        final TrailJson.Texts texts = new TrailJson.Texts();
        int cells;
        int feasible;
        int uncommitted;

        CellWriter(DSLContext tx, Connection connection, long runId, RunInfo info) {
            this.tx = tx;
            this.connection = connection;
            this.runId = runId;
            this.info = info;
        }

        void add(CellPlan c) {
            var e = c.estimate();
            rows.add(new Object[]{runId, c.gpuId(), c.workloadId(), c.modelId(), c.mode().id(), c.feasible(), c.precision(),
                    c.resolutionPx(), c.seqLenTokens(), c.batch(), c.gradAccumSteps(),
                    e == null ? null : e.peakAllocatedBytes(), e == null ? null : e.reservedBytes(),
                    e == null ? null : e.deviceBytes(), e == null ? null : e.utilization(),
                    e == null ? null : breakdownJson(e.breakdown()), c.usableBytes(), c.rule(), c.reason(),
                    info.gpuSha().get(c.gpuId()), info.modelSha().get(c.modelId()), info.workloadSha().get(c.workloadId()),
                    TrailJson.write(c.trail(), texts), c.gpus(), c.strategy(), c.offload(), c.maxConcurrentSequences()});
            cells++;
            if (c.feasible()) {
                feasible++;
            }
            if (rows.size() >= BATCH) {
                flush();
            }
        }

        void flush() {
            if (rows.isEmpty()) {
                return;
            }
            List<String> fresh = texts.fresh();
            if (!fresh.isEmpty()) {
                org.jooq.BatchBindStep b = tx.batch(tx.insertInto(PLAN_TEXT, PLAN_TEXT.RUN_ID, PLAN_TEXT.ID, PLAN_TEXT.TEXT)
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
                try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
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
            uncommitted += rows.size();
            rows.clear();
            if (uncommitted >= COMMIT_EVERY) {
                try {
                    connection.commit();         // the run is still incomplete: nobody sees these cells yet
                } catch (SQLException e) {
                    throw new org.jooq.exception.DataAccessException(e.getMessage(), e);
                }
                uncommitted = 0;
            }
        }
    }

    static String breakdownJson(Map<Component, Long> breakdown) {
        return TrailJson.breakdown(breakdown);
    }

    /** The latest run's id, if any run is stored. */
    public Optional<Long> latestRun() {
        return Optional.ofNullable(dsl().select(DSL.max(PLAN_RUN.ID)).from(PLAN_RUN).where(PLAN_RUN.COMPLETE.isTrue()).fetchOne().value1());
    }

    /** Cells of a run, filtered by model (required), gpu and mode (optional); with their decision trails if asked. */
    public List<StoredCell> cells(long runId, String model, String gpu, String mode, boolean withTrail) {
        for (String v : new String[]{model, gpu, mode}) {
            if (v != null && v.indexOf('\0') >= 0) {
                return List.of();           // no stored id holds a NUL (and PostgreSQL refuses one in text)
            }
        }
        Condition cond = PLAN_CELL.RUN_ID.eq(runId);
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
        Map<Long, List<Decision>> trails = new java.util.HashMap<>();
        List<org.jooq.Field<?>> columns = new ArrayList<>(List.of(PLAN_CELL.fields()));
        if (!withTrail) {
            columns.remove(PLAN_CELL.TRAIL);        // a query reads no trails: they are most of a cell's bytes
        }
        boolean legacy = withTrail && dsl().fetchExists(dsl().selectOne().from(PLAN_CELL).where(cond).and(PLAN_CELL.TRAIL.isNull()));
        if (legacy) {                               // a run stored before schema version 3: trails in plan_decision
            for (PlanDecisionRecord d : dsl().select(PLAN_DECISION.fields()).from(PLAN_DECISION).join(PLAN_CELL)
                    .on(PLAN_DECISION.CELL_ID.eq(PLAN_CELL.ID)).where(cond).orderBy(PLAN_DECISION.CELL_ID, PLAN_DECISION.SEQ)
                    .fetchInto(PLAN_DECISION)) {
                trails.computeIfAbsent(d.getCellId(), k -> new ArrayList<>()).add(new Decision(
                        Decision.Kind.valueOf(d.getKind().toUpperCase(java.util.Locale.ROOT)), d.getPrecisionName(),
                        d.getResolutionPx(), d.getSeqLenTokens(), d.getBatchSize(), d.getDeviceBytes(), d.getRuleName(), d.getReason()));
            }
        }
        Map<Integer, String> runTexts = new java.util.HashMap<>();
        if (withTrail) {
            dsl().select(PLAN_TEXT.ID, PLAN_TEXT.TEXT).from(PLAN_TEXT).where(PLAN_TEXT.RUN_ID.eq(runId))
                    .forEach(t -> runTexts.put(t.value1(), t.value2()));
        }
        java.util.function.IntFunction<String> texts = runTexts::get;
        for (PlanCellRecord r : dsl().select(columns).from(PLAN_CELL).where(cond).orderBy(PLAN_CELL.ID).fetchInto(PLAN_CELL)) {
            List<Decision> trail;
            try {
                trail = !withTrail ? List.of() : r.getTrail() != null ? TrailJson.read(r.getTrail(), texts)
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
            out.add(new StoredCell(r.getRunId(), r.getGpuId(), r.getWorkloadId(), r.getModelId(), r.getJobMode(),
                    r.getFeasible(), r.getPrecisionName(), r.getResolutionPx(), r.getSeqLenTokens(), r.getBatchSize(),
                    r.getGradAccumSteps(), r.getPeakAllocatedBytes(), r.getReservedBytes(), r.getDeviceBytes(),
                    r.getUsableBytes(), r.getUtilization(), breakdown, r.getRuleName(), r.getReason(), trail,
                    r.getGpuSha(), r.getModelSha(), r.getWorkloadSha(),
                    // runs before version 4 planned one card
                    r.getGpus() != null ? r.getGpus() : r.getFeasible() ? Integer.valueOf(1) : null,
                    r.getStrategy() != null ? r.getStrategy() : r.getFeasible() ? "single" : null,
                    r.getOffload() != null ? r.getOffload() : r.getFeasible() ? "none" : null,
                    r.getMaxConcurrentSequences()));
        }
        return out;
    }

    /** The distinct ids of one column of a run's cells (for "did you mean" when a query matches nothing). */
    public java.util.SortedSet<String> ids(long runId, IdColumn column) {
        org.jooq.TableField<PlanCellRecord, String> f = switch (column) {
            case MODEL -> PLAN_CELL.MODEL_ID;
            case GPU -> PLAN_CELL.GPU_ID;
            case WORKLOAD -> PLAN_CELL.WORKLOAD_ID;
        };
        return new java.util.TreeSet<>(dsl().selectDistinct(f).from(PLAN_CELL).where(PLAN_CELL.RUN_ID.eq(runId)).fetch(f));
    }

    /** The id columns of a stored cell. */
    public enum IdColumn { MODEL, GPU, WORKLOAD }

    /** Every run, newest first. */
    public List<StoredRun> runs() {
        return dsl().selectFrom(PLAN_RUN).where(PLAN_RUN.COMPLETE.isTrue()).orderBy(PLAN_RUN.ID.desc()).fetch(PlanStore::run);
    }

    public Optional<StoredRun> run(long id) {
        return dsl().selectFrom(PLAN_RUN).where(PLAN_RUN.ID.eq(id).and(PLAN_RUN.COMPLETE.isTrue())).fetchOptional(PlanStore::run);
    }

    private static StoredRun run(dev.vramplan.store.generated.tables.records.PlanRunRecord r) {
        return new StoredRun(r.getId(), r.getStartedAt(), r.getUserName(), r.getHostName(), r.getCatalogDir(),
                r.getRulesDir(), r.getCatalogSha(), r.getRulesSha(), r.getToolVersion(), r.getCells(), r.getFeasible());
    }

    /** Number of runs stored (for tests and listings). */
    public int runCount() {
        return dsl().fetchCount(PLAN_RUN, PLAN_RUN.COMPLETE.isTrue());
    }

    @Override
    public void close() {
        database.close();
    }
}
