package dev.vramplan.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import org.h2.Driver;
import org.jooq.SQLDialect;

/**
 * The database a command names with {@code --db}, opened for reading or for writing.
 *
 * <ul>
 *   <li>An H2 file named by its path is never written in place ({@link CopyOnWriteFile}): a writer works on a copy
 *       and publishes it whole; readers open the file read-only, beside each other and beside a writer, and see
 *       the last complete run. A reader never creates a database.</li>
 *   <li>A JDBC URL (PostgreSQL for a team) is used as given: the server keeps it consistent and lets readers
 *       read while a plan is written.</li>
 * </ul>
 */
final class Database implements AutoCloseable {
    static {
        // H2 interns every string it is handed in a cache of recent values, hashing it first: a plan hands it one
        // JSON trail of some kilobytes per cell, and the hashing took a sixth of the writer's time on the
        // 200,000-cell bench. Read by H2's SysProperties when it loads, so set before H2's first class.
        if (System.getProperty("h2.objectCache") == null) {
            System.setProperty("h2.objectCache", "false");
        }
    }

    /** H2 settings for files vramplan manages: no trace file beside the database (H2 prints to stdout when it cannot write one). */
    private static final String H2_OPTIONS = ";TRACE_LEVEL_FILE=0";

    final String shown;
    final SQLDialect dialect;
    private final String url;
    /** Null unless this writes an H2 file named by its path. */
    private final CopyOnWriteFile file;

    private final Path base;
    private Connection connection;
    /** Whether this connection changed the database beyond what a rollback undoes (schema created or migrated). */
    private boolean migrated;
    /** Whether a reader of an H2 file checks it against its sums before opening it (see {@link LiveStore}). */
    private boolean verify = true;
    /**
     * Whether H2 closes the file when the JVM begins to exit (its default): a server closes its readers itself,
     * after the requests in flight are answered, which H2's own shutdown hook would cut short.
     */
    private boolean closeOnExit = true;

    private Database(String url, String shown, CopyOnWriteFile file, Path base) {
        this.url = url;
        this.shown = shown;
        this.file = file;
        this.base = base;
        this.dialect = url != null && url.startsWith("jdbc:postgresql:") ? SQLDialect.POSTGRES : SQLDialect.H2;
    }

    /** The base path of an H2 file named by {@code --db} (".mv.db" is H2's), or null for a JDBC URL. */
    static Path base(String db) {
        if (db.startsWith("jdbc:")) {
            return null;
        }
        String path = db.endsWith(".mv.db") ? db.substring(0, db.length() - ".mv.db".length()) : db;
        return Path.of(path).toAbsolutePath().normalize();
    }

    /**
     * An H2 URL given with --db, with no trace file unless it asks for one: where H2 cannot write its trace file
     * (a read-only folder), it prints a stack trace to standard output, into a command's JSON.
     */
    private static String quietH2(String url) {
        return url.startsWith("jdbc:h2:") && !url.toUpperCase(Locale.ROOT).contains("TRACE_LEVEL_FILE=")
                ? url + H2_OPTIONS
                : url;
    }

    /** Opens a database to write plans to (creating it if needed); an H2 file takes its writer lock at once. */
    static Database forWriting(String db, String shown) {
        Path base = base(db);
        if (base == null) {
            return new Database(quietH2(db), shown, null, null);
        }
        return new Database(null, shown, CopyOnWriteFile.lock(base, shown), base);
    }

    /** Opens a database to read plans from; a missing H2 file is an error, never created. */
    static Database forReading(String db, String shown) {
        Path base = base(db);
        if (base == null) {
            String url = db.startsWith("jdbc:h2:file:")
                            && !db.toUpperCase(Locale.ROOT).contains("IFEXISTS=")
                    ? db + ";IFEXISTS=TRUE"
                    : db;
            return new Database(quietH2(url), shown, null, null);
        }
        Path f = CopyOnWriteFile.file(base);
        if (!Files.exists(f)) {
            throw new MissingDatabaseException(missing(shown, f));
        }
        return new Database(null, shown, null, base);
    }

    /**
     * As {@link #forReading}, for a long-running reader ({@link LiveStore}) that closes the file itself; without
     * checking the file against its sums for another connection to a file this process has open and has checked.
     */
    static Database forLiveReading(String db, String shown, boolean verify) {
        Database d = forReading(db, shown);
        d.verify = verify;
        d.closeOnExit = false;
        return d;
    }

    private static String missing(String shown, Path f) {
        return shown + ": no database there (" + f + " does not exist): check --db (or VRAMPLAN_DB), or run 'vramplan"
                + " plan' to store a first plan there";
    }

    /** The connection, opened on first use (a writer on an H2 file begins a fresh working copy each time). */
    Connection connection() throws SQLException {
        if (connection == null) {
            connection = open();
        }
        return connection;
    }

    private Connection open() throws SQLException {
        if (file != null) {
            Path working = file.begin();
            Connection c = null;
            try {
                c = h2("jdbc:h2:file:" + working + H2_OPTIONS, true);
                migrated = Migrations.apply(c) > 0;
                return c;
            } catch (SQLException | RuntimeException e) {
                closeQuietly(c);
                file.discard();
                throw e;
            }
        }
        if (base != null) {
            return openReadOnly(true);
        }
        Connection c = url.startsWith("jdbc:h2:") ? h2(url, false) : DriverManager.getConnection(url);
        try {
            Migrations.apply(c);
            return c;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** A read-only connection to the H2 file, after checking it against its sums; brings an old schema up to date first. */
    private Connection openReadOnly(boolean mayUpgrade) throws SQLException {
        Path f = CopyOnWriteFile.file(base);
        try {
            if (verify) {
                CopyOnWriteFile.verified(f, base, shown);
            } else if (!Files.exists(f)) {
                throw new NoSuchFileException(f.toString());
            }
        } catch (NoSuchFileException e) {
            throw new MissingDatabaseException(missing(shown, f));
        } catch (IOException e) {
            throw new StoreException(
                    shown + ": cannot read the database file " + f + ": " + CopyOnWriteFile.reason(e), e);
        }
        Connection c = h2(
                "jdbc:h2:file:" + base + H2_OPTIONS + ";ACCESS_MODE_DATA=r"
                        + (closeOnExit ? "" : ";DB_CLOSE_ON_EXIT=FALSE"),
                true);
        if (Migrations.behind(c)) {
            closeQuietly(c);
            if (!mayUpgrade) {
                throw new StoreException(
                        shown + ": the database's schema is older than this vramplan and could not be brought"
                                + " up to date");
            }
            // a database written by an older vramplan: brought up to date once, the way a plan would write it
            try (Database w = forWriting(base.toString(), shown)) {
                w.connection();
            }
            return openReadOnly(false);
        }
        return c;
    }

    /** H2 directly: DriverManager would first load and initialise every JDBC driver on the class path. */
    private Connection h2(String jdbc, boolean managed) throws SQLException {
        try {
            return Driver.load().connect(jdbc, new Properties());
        } catch (SQLException e) {
            if (managed && damagedFile(e)) {
                Path f = CopyOnWriteFile.file(base);
                throw CopyOnWriteFile.damaged(
                        shown, f, "H2 cannot read it (" + PlanStore.firstLine(e.getMessage()) + ")");
            }
            throw e;
        }
    }

    /** H2's words for a file it cannot read: FILE_CORRUPTED_1 (90030) or the store's own exception. */
    private static boolean damagedFile(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return e.getErrorCode() == 90030
                || m.contains("MVStoreException")
                || m.contains("Chunk ")
                || m.contains("corrupt");
    }

    /**
     * Makes what was written visible: an H2 file's working copy is closed by H2 and renamed over the file; a
     * JDBC database has already committed. The next use of the connection begins anew.
     */
    void publish() throws SQLException {
        if (file == null) {
            return;
        }
        Connection c = connection;
        connection = null;
        try (Statement st = c.createStatement()) {
            st.execute("SHUTDOWN");
        } catch (SQLException e) {
            closeQuietly(c);
            file.discard();
            throw e;
        }
        closeQuietly(c);
        file.publish();
        migrated = false;
    }

    /** Throws away what this connection wrote to an H2 file's working copy; the file stays as it was. */
    void discard() {
        if (file == null) {
            return;
        }
        closeQuietly(connection);
        connection = null;
        file.discard();
        migrated = false;
    }

    /** Whether writes go to a working copy that {@link #discard} can throw away whole. */
    boolean copyOnWrite() {
        return file != null;
    }

    @Override
    public void close() {
        try {
            if (file != null && connection != null) {
                if (migrated) {
                    publish(); // a database created or brought up to date stays so
                } else {
                    discard();
                }
            }
        } catch (SQLException | RuntimeException e) {
            discard();
        } finally {
            closeQuietly(connection);
            connection = null;
            if (file != null) {
                file.close();
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            // closing a connection we are done with: nothing left to save
        }
    }
}
