package dev.vramplan.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An H2 file that is never written in place. A writer holds the file's writer lock, works on a copy beside it
 * ({@code plans.writing.mv.db}) and, once H2 has closed the copy cleanly, syncs it and renames it over the file
 * in one step. A process killed at any moment leaves the file as it was before or as it is after, never
 * half-written; what the killed writer left is removed by the next one. Readers open the file read-only and are
 * never blocked: one that opened before a rename reads the old file until it closes.
 *
 * <p>Why not H2's own crash safety: killed mid-write about once in 15–20 tries (issue 15's kill loop), H2 2.5.252
 * left files it could not open ("Chunk 13 not found") or whose tables stayed locked; H2's issue 4247 describes
 * chunks lost to compaction. The failure is rare and timing-dependent, so vramplan does not depend on that code
 * path at all: H2 only ever writes a copy nobody reads.
 */
final class CopyOnWriteFile implements AutoCloseable {
    private final Path base;
    private final String shown;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** The sum of the file when this writer began, if there was a file. */
    private FileCheck.Sum current;

    private boolean begun;

    private CopyOnWriteFile(Path base, String shown, FileChannel lockChannel, FileLock lock) {
        this.base = base;
        this.shown = shown;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** The database file H2 keeps for a base path: {@code base.mv.db}. */
    static Path file(Path base) {
        return base.resolveSibling(base.getFileName() + ".mv.db");
    }

    /** The base path of the writer's copy (H2 adds ".mv.db"). */
    Path working() {
        return base.resolveSibling(base.getFileName() + ".writing");
    }

    /**
     * Takes the writer lock of the file (created with its folder if needed); fails at once if another process
     * holds it. The operating system releases the lock of a killed process.
     */
    static CopyOnWriteFile lock(Path base, String shown) {
        Path folder = base.toAbsolutePath().getParent();
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new StoreException(shown + ": cannot create the folder for the database: " + reason(e), e);
        }
        Path lockFile = base.resolveSibling(base.getFileName() + ".writer.lock");
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StoreException(
                    shown + ": cannot write in " + folder + " (" + reason(e) + "): give a --db in a"
                            + " folder you can write to",
                    e);
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            l = null;
        }
        if (l == null) {
            close(ch);
            throw new StoreException(shown + ": the database is in use by another process (a plan is being stored in"
                    + " it): wait for it to finish, or give another --db");
        }
        return new CopyOnWriteFile(base, shown, ch, l);
    }

    /**
     * Starts a writer's work: checks the file against its sums, removes what a killed writer left, and copies the
     * file to the working copy. Returns the working copy's base path for H2.
     */
    Path begin() {
        Path file = file(base);
        Path working = working();
        try {
            deleteWorking();
            current = null;
            if (Files.exists(file)) {
                current = verified(file, base, shown);
                Files.copy(file, file(working), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteWorkingQuietly();
            throw new StoreException(
                    shown + ": cannot copy the database to write to it (nothing was written): " + reason(e), e);
        }
        begun = true;
        return working;
    }

    /**
     * Makes the working copy the database, after H2 has closed it: synced, recorded in the sum file beside the
     * old file's sum, renamed over the file, then recorded alone.
     */
    void publish() {
        Path file = file(base);
        Path copy = file(working());
        Path sums = FileCheck.sumFile(base);
        try {
            FileCheck.sync(copy);
            FileCheck.Sum next = FileCheck.of(copy);
            List<FileCheck.Sum> both = new ArrayList<>();
            if (current != null) {
                both.add(current);
            }
            both.add(next);
            FileCheck.write(sums, both);
            FileCheck.replace(copy, file);
            FileCheck.write(sums, List.of(next));
            current = next;
            begun = false;
        } catch (IOException e) {
            throw new StoreException(
                    shown + ": the plan could not be written to disk (it is not stored; earlier runs are" + " intact): "
                            + reason(e),
                    e);
        }
    }

    /** Throws away the working copy: the file stays as it was. */
    void discard() {
        deleteWorkingQuietly();
        begun = false;
    }

    @Override
    public void close() {
        if (begun) {
            discard();
        }
        try {
            lock.release();
        } catch (IOException e) {
            // the channel's close below releases it too
        }
        close(lockChannel);
    }

    /**
     * Checks a database file against the sums vramplan recorded; returns its sum. A reader may meet a writer's
     * rename between reading the file and reading the sums, so a mismatch is looked at twice.
     */
    static FileCheck.Sum verified(Path file, Path base, String shown) throws IOException {
        Path sums = FileCheck.sumFile(base);
        String why = null;
        FileCheck.Sum actual = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            actual = FileCheck.of(file);
            why = FileCheck.mismatch(actual, FileCheck.read(sums));
            if (why == null) {
                return actual;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw damaged(shown, file, why);
    }

    /** The one message for a database file vramplan will not read or write. */
    static StoreException damaged(String shown, Path file, String why) {
        Path sums = FileCheck.sumFile(
                file.resolveSibling(file.getFileName().toString().replaceFirst("\\.mv\\.db$", "")));
        return new StoreException(shown + ": the database file " + file + " is damaged: " + why + "; nothing was read"
                + " from it or written to it. Restore it from a backup (if you restored it on purpose, delete " + sums
                + "), or move it aside and plan again to start a new history");
    }

    private void deleteWorking() throws IOException {
        Path w = working();
        Files.deleteIfExists(file(w));
        Files.deleteIfExists(w.resolveSibling(w.getFileName() + ".trace.db"));
        Files.deleteIfExists(w.resolveSibling(w.getFileName() + ".mv.db.tempFile"));
    }

    private void deleteWorkingQuietly() {
        try {
            deleteWorking();
        } catch (IOException e) {
            // left for the next writer, which removes it before it begins
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // a lock file we only held: nothing to save
        }
    }

    static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
