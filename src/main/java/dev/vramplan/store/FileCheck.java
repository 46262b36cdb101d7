package dev.vramplan.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * The size and CRC-32C of an H2 file as vramplan last wrote it, kept beside the file ({@code plans.sum} for
 * {@code plans.mv.db}). H2 alone cannot tell a damaged file from an older state: a file cut short by one byte
 * opens, falls back to an earlier chunk and shows a history that never existed. A file that matches none of the
 * sums vramplan wrote is damaged, and is neither read nor written.
 *
 * <p>While a writer replaces the file, the sum file lists both the old and the new file, so a process killed
 * between the two steps leaves a file that still matches.
 */
final class FileCheck {
    /** A file's length and CRC-32C. */
    record Sum(long size, long crc) {
        String line() {
            return size + " " + Long.toHexString(crc);
        }
    }

    private static final String HEADER = "# vramplan: size and CRC-32C of the database file as vramplan last wrote it;"
            + " a file that matches none of these lines is damaged. Delete this file only to vouch for a database file"
            + " restored from a backup.";

    private FileCheck() {}

    /** The sum file of an H2 file {@code base.mv.db}: {@code base.sum}. */
    static Path sumFile(Path base) {
        return base.resolveSibling(base.getFileName() + ".sum");
    }

    /** The size and CRC-32C of a file, read through one channel (a file renamed meanwhile is read whole, as it was). */
    static Sum of(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            CRC32C crc = new CRC32C();
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            long size = 0;
            while (ch.read(buf) >= 0) {
                buf.flip();
                size += buf.remaining();
                crc.update(buf);
                buf.clear();
            }
            return new Sum(size, crc.getValue());
        }
    }

    /** The sums recorded for a file; empty when there is no sum file (a database written before vramplan kept one). */
    static List<Sum> read(Path sumFile) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(sumFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Sum> out = new ArrayList<>();
        for (String l : lines) {
            String s = l.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            String[] p = s.split(" ");
            try {
                out.add(new Sum(Long.parseLong(p[0]), Long.parseUnsignedLong(p[1], 16)));
            } catch (RuntimeException e) {
                throw new IOException(
                        sumFile.getFileName() + " is not a sum file vramplan wrote (line \"" + s + "\")", e);
            }
        }
        return out;
    }

    /** Replaces the sum file in one step (written beside it, synced, renamed, the folder synced). */
    static void write(Path sumFile, List<Sum> sums) throws IOException {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (Sum s : sums) {
            b.append(s.line()).append('\n');
        }
        Path tmp = sumFile.resolveSibling(sumFile.getFileName() + ".new");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        replace(tmp, sumFile);
    }

    /** Renames {@code from} over {@code to} atomically, then syncs the folder so the rename itself is durable. */
    static void replace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to.getParent() + " cannot rename a file in one step", e);
        }
        syncFolder(to.toAbsolutePath().getParent());
    }

    /** Syncs a file's contents to disk. */
    static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void syncFolder(Path folder) {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a folder; the rename is still atomic, only its durability on power loss
            // then rests on the file system's own journal
        }
    }

    /**
     * Why a file matches none of its recorded sums, for a message ("it is 1 byte shorter than …"), or null when it
     * matches one or has no sum file to match.
     */
    static String mismatch(Sum actual, List<Sum> recorded) {
        if (recorded.isEmpty() || recorded.contains(actual)) {
            return null;
        }
        Sum last = recorded.get(recorded.size() - 1);
        long d = actual.size() - last.size();
        if (d == 0) {
            return "its contents differ from what vramplan last wrote (same size, another checksum)";
        }
        return String.format(
                Locale.ROOT,
                "it is %,d byte%s %s than vramplan last wrote it",
                Math.abs(d),
                Math.abs(d) == 1 ? "" : "s",
                d < 0 ? "shorter" : "longer");
    }
}
