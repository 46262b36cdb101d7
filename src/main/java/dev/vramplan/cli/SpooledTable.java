package dev.vramplan.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Table} whose rows wait in a temporary file instead of the heap: the widths of the columns are known only
 * when the last row is in, and a plan of 200,000 cells must not hold 200,000 rows to print them. The output is the
 * same as a {@link Table}'s.
 */
final class SpooledTable implements AutoCloseable {
    private final Table widths;
    private final Path file;
    private final DataOutputStream spool;
    private final int columns;

    SpooledTable(String... header) {
        this.widths = new Table(header);
        this.columns = header.length;
        try {
            this.file = Files.createTempFile("vramplan-table", ".rows");
            this.spool = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a temporary file for the table: " + e.getMessage(), e);
        }
    }

    void add(Object... cells) {
        String[] row = Table.cells(cells);
        widths.widen(row);
        try {
            for (String c : row) {
                byte[] b = c.getBytes(StandardCharsets.UTF_8); // not writeUTF: it stops at 64 KiB
                spool.writeInt(b.length);
                spool.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the table's temporary file: " + e.getMessage(), e);
        }
    }

    void print(PrintWriter out) {
        try {
            spool.close();
            widths.printHeader(out);
            try (DataInputStream in =
                    new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
                List<String> row = new ArrayList<>(columns);
                while (true) {
                    int length;
                    try {
                        length = in.readInt();
                    } catch (EOFException end) {
                        return;
                    }
                    row.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
                    if (row.size() == columns) {
                        widths.printRow(out, row);
                        row.clear();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the table's temporary file: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            spool.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temporary file left behind is the system's to clean
        }
    }
}
