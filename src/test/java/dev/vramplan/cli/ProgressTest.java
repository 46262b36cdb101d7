package dev.vramplan.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress line of plan and bench, with a clock the test moves. */
class ProgressTest {
    long now;

    @Test
    void showsCellsDoneRateAndTimeLeftOnOneLineThenErasesIt() {
        StringWriter err = new StringWriter();
        Progress p = new Progress(new PrintWriter(err), true, () -> now, "planning", 1000);
        now = 1_000_000_000L;                // 250 cells in 1 s: 250 cells/s, 750 left, 3 s
        for (int i = 0; i < 250; i++) {
            p.step();
        }
        assertThat(p.line(now)).isEqualTo("planning: 250 of 1,000 cells (25%), 250 cells/s, 3 s left");
        // drawn once: the first step at 1 s; the other 249 came within 100 ms of it
        assertThat(err.toString()).isEqualTo("\rplanning: 1 of 1,000 cells (0%), 1 cells/s, 16 min 39 s left");
        now = 1_100_000_000L;
        p.step();
        // drawn over the first, padded over its 3 longer characters
        assertThat(err.toString()).isEqualTo("\rplanning: 1 of 1,000 cells (0%), 1 cells/s, 16 min 39 s left"
                + "\rplanning: 251 of 1,000 cells (25%), 228 cells/s, 4 s left   ");
        p.close();
        String erase = "\r" + " ".repeat("planning: 251 of 1,000 cells (25%), 228 cells/s, 4 s left".length()) + "\r";
        assertThat(err.toString()).endsWith(erase).doesNotContain("\n");
    }

    @Test
    void theLastCellIsAlwaysDrawnAndLongRunsCountMinutes() {
        StringWriter err = new StringWriter();
        Progress p = new Progress(new PrintWriter(err), true, () -> now, "planning", 2);
        now = 500_000_000L;
        p.step();
        p.step();                            // within 100 ms of the first, but the last
        assertThat(err.toString()).isEqualTo("\rplanning: 1 of 2 cells (50%), 2 cells/s, 1 s left"
                + "\rplanning: 2 of 2 cells (100%), 4 cells/s, 0 s left");
        assertThat(Progress.duration(61)).isEqualTo("1 min 01 s");
        assertThat(Progress.duration(3 * 3600 + 125)).isEqualTo("3 h 02 min");
    }

    @Test
    void printsNothingWhenStandardErrorIsNotATerminal() {
        StringWriter err = new StringWriter();
        try (Progress p = new Progress(new PrintWriter(err), false, () -> now, "planning", 10)) {
            for (int i = 0; i < 10; i++) {
                now += 1_000_000_000L;
                p.step();
            }
        }
        assertThat(err.toString()).isEmpty();
    }

    /** The launcher tells whether standard error is a terminal; under the tests it is a pipe and the JVM has no console. */
    @Test
    void theLauncherSaysWhetherStandardErrorIsATerminal() {
        assertThat(Progress.stderrIsTerminal()).isFalse();
        try {
            System.setProperty("vramplan.stderr.tty", "true");
            assertThat(Progress.stderrIsTerminal()).isTrue();
            System.setProperty("vramplan.stderr.tty", "false");
            assertThat(Progress.stderrIsTerminal()).isFalse();
        } finally {
            System.clearProperty("vramplan.stderr.tty");
        }
    }
}
