package dev.vramplan.input;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one way vramplan reads a file the user points it at (catalog YAML, rules, measurements, policy tests,
 * import sources): only a regular file, and only up to {@link #MAX_BYTES}. Both are checked from the file's
 * attributes before it is opened, because opening a FIFO blocks until someone writes to it and reading
 * /dev/zero or a file of gigabytes whole ends in an OutOfMemoryError.
 */
public final class InputFiles {
    /**
     * The largest input file read: far above any real input (the largest shipped file, the public measurements, is
     * 150 KB; a catalog of 20,000 cards is 5 MB), far below the heap.
     */
    public static final long MAX_BYTES = 16L << 20;

    // st_mode's file type bits (POSIX), for naming what a non-regular file is
    private static final int TYPE_MASK = 0170000;
    private static final int FIFO = 0010000;
    private static final int CHARACTER_DEVICE = 0020000;
    private static final int DIRECTORY = 0040000;
    private static final int BLOCK_DEVICE = 0060000;
    private static final int SOCKET = 0140000;

    private InputFiles() {}

    /** Why a file was not read; the message completes {@code file:1:1: }. */
    public static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message);
        }
    }

    /**
     * The file's bytes. {@code what} names the kind of file in the singular ("catalog file") for the message
     * about files that are not regular.
     */
    public static byte[] read(Path file, String what) throws Unreadable {
        try {
            BasicFileAttributes a =
                    Files.readAttributes(file, BasicFileAttributes.class); // follows links, opens nothing
            if (!a.isRegularFile()) {
                throw new Unreadable("not a regular file (" + kind(file, a) + "): vramplan reads " + what
                        + "s only from regular files");
            }
            if (a.size() > MAX_BYTES) {
                throw new Unreadable(
                        "the file is " + oneDecimal(a.size()) + "; vramplan reads files of at most " + limit());
            }
            // the size may be wrong (a file in /proc says 0) or grow while read: never take more than the limit
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
                if (bytes.length > MAX_BYTES) {
                    throw new Unreadable(
                            "the file is more than " + limit() + "; vramplan reads files of at most " + limit());
                }
                return bytes;
            }
        } catch (NoSuchFileException e) {
            throw new Unreadable("cannot be read: no such file");
        } catch (AccessDeniedException e) {
            throw new Unreadable("cannot be read: permission denied");
        } catch (IOException e) {
            throw new Unreadable("cannot be read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private static String kind(Path file, BasicFileAttributes a) {
        if (a.isDirectory()) {
            return "a directory";
        }
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode");
            return switch (mode & TYPE_MASK) {
                case FIFO -> "a FIFO";
                case CHARACTER_DEVICE -> "a character device";
                case BLOCK_DEVICE -> "a block device";
                case SOCKET -> "a socket";
                case DIRECTORY -> "a directory";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "a special file"; // no POSIX modes here (Windows): the kind stays unnamed
        }
    }

    /** "16 MiB": the limit as people write it. */
    private static String limit() {
        return (MAX_BYTES >> 20) + " MiB";
    }

    /** A size with one decimal, rounded up so that a file just over the limit never reads as the limit: "3.0 GiB". */
    static String oneDecimal(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int u = 0;
        while (u < units.length - 1 && bytes >= 1L << (10 * (u + 1))) {
            u++;
        }
        BigDecimal v = BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1L << (10 * u)), 1, RoundingMode.UP);
        return v.toPlainString() + " " + units[u];
    }
}
