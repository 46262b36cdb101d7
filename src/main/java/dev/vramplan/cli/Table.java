package dev.vramplan.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A plain text table with aligned columns. */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    /** The width of each column: its header's, widened by every row added. */
    private final int[] w;

    Table(String... header) {
        this.header = List.of(header);
        this.w = new int[header.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = header[i].length();
        }
    }

    /** The cells as printed: null as "-". */
    static String[] cells(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cells[i] == null ? "-" : cells[i].toString();
        }
        return r;
    }

    void add(Object... cells) {
        String[] r = cells(cells);
        widen(r);
        rows.add(List.of(r));
    }

    /** Widens the columns for a row (kept elsewhere: {@link SpooledTable}). */
    void widen(String[] row) {
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.max(w[i], row[i].length());
        }
    }

    void print(PrintWriter out) {
        printHeader(out);
        for (List<String> r : rows) {
            printRow(out, r);
        }
    }

    void printHeader(PrintWriter out) {
        line(out, header, w);
        StringBuilder sep = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            sep.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        }
        out.println(sep);
    }

    void printRow(PrintWriter out, List<String> row) {
        line(out, row, w);
    }

    private static void line(PrintWriter out, List<String> cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append("  ");
            }
            String c = cells.get(i);
            sb.append(c);
            if (i < cells.size() - 1) {
                for (int k = c.length(); k < w[i]; k++) {
                    sb.append(' ');
                }
            }
        }
        out.println(sb.toString().stripTrailing());
    }

    /** A share as a whole percentage, "58%" (what "%.0f%%" prints, without a Formatter per row). */
    static String percent(double share) {
        double v = 100 * share;
        return (Double.isFinite(v) && v >= 0 && v < 1e15
                        ? Long.toString(Math.round(v))
                        : String.format(Locale.ROOT, "%.0f", v))
                + "%";
    }

    /** CSV with quoting where needed. */
    static String csv(Object v) {
        if (v == null) {
            return "";
        }
        String s = v.toString();
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** A plan's cards: "1", "8 zero3", "2 zero2+offload optimizer"; null when infeasible. */
    static String cards(Integer gpus, String strategy, String offload) {
        if (gpus == null) {
            return null;
        }
        if (gpus == 1
                && (strategy == null || strategy.equals("single"))
                && (offload == null || offload.equals("none"))) {
            return "1";
        }
        return gpus + " " + strategy + (offload == null || offload.equals("none") ? "" : "+offload " + offload);
    }
}
