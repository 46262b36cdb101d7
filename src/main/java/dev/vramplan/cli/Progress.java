package dev.vramplan.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * One updating line on standard error for a long run: {@code planning: 1,234 of 12,852 cells (9%), 617 cells/s, 19 s
 * left} (the rate counted from the first cell done), redrawn with a carriage return at most every {@link #EVERY_NANOS} and erased at the end. Silent when standard
 * error is not a terminal (a log file gets no carriage returns) or with {@code --quiet}.
 *
 * <p>The clock and the writer are given, so a test can check the line without a terminal.
 */
final class Progress implements AutoCloseable {
    /** Redraws at most ten times a second: the line is for eyes, not a log. */
    static final long EVERY_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final boolean shown;
    private final LongSupplier nanos;
    private final String what;
    private final long total;
    private final long start;
    /** When the first cell was done: the rate is measured from it, not from start-up (opening, checking the objective). */
    private long firstAt;

    private long done;
    private long drawnAt;
    private int width;

    Progress(PrintWriter err, boolean shown, LongSupplier nanos, String what, long total) {
        this.err = err;
        this.shown = shown;
        this.nanos = nanos;
        this.what = what;
        this.total = total;
        this.start = nanos.getAsLong();
        this.drawnAt = start - EVERY_NANOS; // the first cell is drawn at once
    }

    /** Progress on the process's standard error, shown when it is a terminal and not {@code quiet}. */
    static Progress onStderr(PrintWriter err, boolean quiet, String what, long total) {
        return new Progress(err, !quiet && stderrIsTerminal(), System::nanoTime, what, total);
    }

    /**
     * Whether standard error is a terminal: the launcher tests it ({@code [ -t 2 ]}) and passes
     * {@code -Dvramplan.stderr.tty=true|false}; without it (java -jar) the JVM's console stands in for it (stdin and
     * stdout are terminals).
     */
    static boolean stderrIsTerminal() {
        String told = System.getProperty("vramplan.stderr.tty");
        return told != null ? Boolean.parseBoolean(told) : System.console() != null;
    }

    /** One more cell done; redraws the line if the last drawing is old enough. */
    void step() {
        done++;
        if (!shown) {
            return;
        }
        long now = nanos.getAsLong();
        if (done == 1) {
            firstAt = now;
        }
        if (done == total || now - drawnAt >= EVERY_NANOS) {
            draw(now);
        }
    }

    /** The line as it is drawn now (without the carriage return and padding). */
    String line(long now) {
        StringBuilder b = new StringBuilder(String.format(
                Locale.ROOT, "%s: %,d of %,d cells (%d%%)", what, done, total, total == 0 ? 100 : done * 100 / total));
        if (done > 1 && now > firstAt) { // a rate needs two cells some time apart
            double rate = (done - 1) / ((now - firstAt) / 1e9);
            b.append(String.format(Locale.ROOT, ", %,.0f cells/s, %s left", rate, duration((total - done) / rate)));
        }
        return b.toString();
    }

    static String duration(double seconds) {
        long s = (long) Math.ceil(seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60);
    }

    private void draw(long now) {
        drawnAt = now;
        String l = line(now);
        // pad over the longer line before it, so nothing of it is left at the end
        err.print("\r" + l + " ".repeat(Math.max(0, width - l.length())));
        width = l.length();
        err.flush();
    }

    /** Erases the line, so what follows starts on a clean one. */
    @Override
    public void close() {
        if (shown && width > 0) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
            width = 0;
        }
    }
}
