package dev.vramplan.store;

import static dev.vramplan.store.generated.Tables.PLAN_CELL;

import dev.vramplan.plan.CellPlan;
import dev.vramplan.plan.PlanResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * Plans in a database through jOOQ: an H2 file by default, or any JDBC URL (PostgreSQL for a shared store).
 * The only class that sees generated code or SQL; it takes and returns the planner's records.
 */
public final class PlanStore implements AutoCloseable {
    private static final Settings SETTINGS = new Settings()
            .withRenderQuotedNames(RenderQuotedNames.NEVER)
            .withExecuteLogging(false)
            .withRenderSchema(false);

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

    /** As {@link #openForReading}, for {@link LiveStore}: closed by it, and an H2 file checked against its sums only if asked. */
    static PlanStore openLive(String db, boolean verify) {
        return open(() -> Database.forLiveReading(db, redact(db), verify));
    }

    private static PlanStore open(Supplier<Database> opener) {
        Database database = opener.get();
        PlanStore store = new PlanStore(database);
        // the database opens on its own thread while this one loads jOOQ and the generated tables: on a cold JVM
        // each takes a fifth of a second, and a query needs both
        CompletableFuture<Connection> opening = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        opening.complete(database.connection());
                    } catch (Throwable e) {
                        opening.completeExceptionally(e);
                    }
                },
                "vramplan-db-open");
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
        if (e.getErrorCode() == 90020) { // H2: DATABASE_ALREADY_OPEN_1
            return new StoreException(
                    shown + ": the database is in use by another process (an H2 file opens in one process"
                            + " at a time): wait for it to finish, or give another --db",
                    e);
        }
        if (e.getErrorCode() == 90146) { // H2: DATABASE_NOT_FOUND_WITH_IF_EXISTS_1
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
        } catch (ExecutionException e) {
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

    /**
     * Cells written per JDBC batch, and per transaction of a run. H2 stores the pages a transaction changed in the
     * background, about every half second: a row still uncommitted then is written twice, as uncommitted and again
     * once its commit marks it, so 5,000 cells a transaction nearly doubled a large run's file (951 MB for the
     * 200,000-cell bench; 522 MB committing every 500).
     */
    static final int BATCH = 500;

    /**
     * Stores a planning run while {@code planning} produces it: {@code planning} is called once, inside the run's
     * transaction, with a sink for the cells in order. Cells go to the database in batches as they come, so a fleet
     * of any size is stored in bounded memory. If planning or storing fails, nothing of the run is kept and earlier
     * runs are intact. Returns the run's id.
     */
    public long save(RunInfo info, Consumer<Consumer<CellPlan>> planning) {
        DSLContext dsl = dsl();
        long id = new RunWriter(dsl, connection, dialect, database, shown).insert(info, planning);
        try {
            if (database.copyOnWrite()) {
                database.publish(); // closed by H2, synced, renamed over the file: stored whole or not at all
            } else if (dialect == SQLDialect.H2) {
                // H2 writes committed data to the file in the background; make it durable before saying "stored"
                dsl().execute("CHECKPOINT SYNC");
            }
        } catch (SQLException | DataAccessException e) {
            Throwable cause = e instanceof DataAccessException && e.getCause() != null ? e.getCause() : e;
            throw new StoreException(
                    shown + ": the plan could not be written to disk (it is not stored; earlier runs are" + " intact): "
                            + firstLine(cause.getMessage()),
                    e);
        }
        return id;
    }

    private PlanReader reader() {
        return new PlanReader(dsl(), shown);
    }

    /** The latest run's id, if any run is stored. */
    public Optional<Long> latestRun() {
        return reader().latestRun();
    }

    /** Cells of a run, filtered by model (required), gpu and mode (optional); with their decision trails if asked. */
    public List<StoredCell> cells(long runId, String model, String gpu, String mode, boolean withTrail) {
        return reader().cells(runId, model, gpu, mode, withTrail, Integer.MAX_VALUE);
    }

    /** As {@link #cells(long, String, String, String, boolean)}, the first {@code limit} cells in the order they were planned. */
    public List<StoredCell> cells(long runId, String model, String gpu, String mode, boolean withTrail, int limit) {
        return reader().cells(runId, model, gpu, mode, withTrail, limit);
    }

    /** The distinct ids of one column of a run's cells (for "did you mean" when a query matches nothing). */
    public SortedSet<String> ids(long runId, IdColumn column) {
        return reader().ids(runId, column);
    }

    /** The id columns of a stored cell. */
    public enum IdColumn {
        MODEL,
        GPU,
        WORKLOAD
    }

    /** Every run, newest first. */
    public List<StoredRun> runs() {
        return reader().runs();
    }

    /** The run with this id, if it is stored and complete. */
    public Optional<StoredRun> run(long id) {
        return reader().run(id);
    }

    /** Number of runs stored (for tests and listings). */
    public int runCount() {
        return reader().runCount();
    }

    @Override
    public void close() {
        database.close();
    }
}
