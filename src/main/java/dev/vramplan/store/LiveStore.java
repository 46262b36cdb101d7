package dev.vramplan.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.jooq.exception.DataAccessException;

/**
 * The plans a long-running reader ({@code vramplan serve}) reads from, kept open between questions and always
 * showing the latest complete run, including one a {@code plan} in another process stored a moment ago.
 *
 * <ul>
 *   <li>An H2 file: readers are read-only connections, kept for the next question. Before each question the file's
 *       identity (its inode, size and modification time) is compared with the one the readers opened: a plan
 *       publishes a new run by renaming a new file over the old one ({@link CopyOnWriteFile}), so a new identity
 *       means a new file. Then the questions reading the old file finish, its readers close, and the next question
 *       opens the new file (checked against its sums once). No lock is shared with the writer and nothing is
 *       written.</li>
 *   <li>A JDBC URL (PostgreSQL): one connection per reader, in autocommit, so each question sees what the server
 *       has committed; a run shows once complete.</li>
 * </ul>
 * At most as many readers stay open as questions were asked at once (the server's worker pool bounds that).
 */
public final class LiveStore implements AutoCloseable {
    private final String db;
    /** The H2 file, or null for a JDBC URL. */
    private final Path file;

    private final ReentrantReadWriteLock swap = new ReentrantReadWriteLock();
    private final Deque<PlanStore> idle = new ArrayDeque<>();
    /** The identity of the H2 file the open readers read; null when none is open. */
    private Object opened;
    /** Whether a reader of the current file has checked it against its sums. */
    private boolean checked;

    private boolean closed;

    private LiveStore(String db, Path file) {
        this.db = db;
        this.file = file;
    }

    /** Opens the database for reading; fails at once as {@code query} would (missing, damaged, unreachable). */
    public static LiveStore open(String db) {
        Path base = Database.base(db);
        LiveStore live = new LiveStore(db, base == null ? null : CopyOnWriteFile.file(base));
        live.read(s -> s.runCount());
        return live;
    }

    /** What {@code work} reads from the latest state of the database, with a reader no other thread uses meanwhile. */
    public <T> T read(Function<PlanStore, T> work) {
        refresh();
        swap.readLock().lock();
        PlanStore s = null;
        boolean keep = false;
        try {
            s = borrow();
            T t = work.apply(s);
            keep = true;
            return t;
        } catch (StoreException | DataAccessException e) {
            throw e; // the reader may be broken: it is closed, the next question opens another
        } catch (RuntimeException e) {
            keep = true; // a question the reader answered with an error (an unknown id)
            throw e;
        } finally {
            if (s != null) {
                giveBack(s, keep);
            }
            swap.readLock().unlock();
        }
    }

    private PlanStore borrow() {
        synchronized (idle) {
            if (closed) {
                throw new StoreException(PlanStore.redact(db) + ": the store is closed");
            }
            PlanStore s = idle.pollFirst();
            if (s != null) {
                return s;
            }
        }
        if (file == null) {
            return PlanStore.openForReading(db);
        }
        synchronized (this) { // the first reader of a file checks it against its sums
            if (!checked) {
                PlanStore s = PlanStore.openLive(db, true);
                checked = true;
                return s;
            }
        }
        return PlanStore.openLive(db, false);
    }

    private void giveBack(PlanStore s, boolean keep) {
        synchronized (idle) {
            if (keep && !closed) {
                idle.offerFirst(s);
                return;
            }
        }
        s.close();
    }

    /** For an H2 file: when a plan has published a new file, closes the readers of the old one (once no question uses them). */
    private void refresh() {
        if (file == null) {
            return;
        }
        Object now = identity(file);
        synchronized (this) {
            if (Objects.equals(now, opened)) {
                return;
            }
        }
        swap.writeLock().lock();
        try {
            synchronized (this) {
                now = identity(file);
                if (Objects.equals(now, opened)) {
                    return;
                }
                closeIdle();
                opened = now;
                checked = false;
            }
        } finally {
            swap.writeLock().unlock();
        }
    }

    /** The file's inode (where the system has one), size and modification time; null when there is no file. */
    static Object identity(Path f) {
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            return List.of(
                    String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime().toMillis());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return e.toString(); // unreadable now: the next reader says why
        }
    }

    private void closeIdle() {
        synchronized (idle) {
            while (!idle.isEmpty()) {
                idle.pollFirst().close();
            }
        }
    }

    /**
     * Closes every reader; a question asked after this fails. A question still being answered (waited for up to
     * {@code wait}) closes its reader when done.
     */
    public void close(Duration wait) {
        boolean locked = false;
        try {
            locked = swap.writeLock().tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            synchronized (idle) {
                closed = true;
            }
            closeIdle();
        } finally {
            if (locked) {
                swap.writeLock().unlock();
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
