package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The progress line of plan and bench, with a clock the test moves. */
class ProgressTest {
    long now;

    @Test
    void showsCellsDoneRateAndTimeLeftOnOneLineThenErasesIt() {
        StringWriter err = new StringWriter();
        Progress p = new Progress(new PrintWriter(err), true, () -> now, "planning", 1000);
        now = 1_000_000_000L; // the first cell: no rate yet (start-up is not planning)
        p.step();
        assertThat(err.toString()).isEqualTo("\rplanning: 1 of 1,000 cells (0%)");
        now = 2_000_000_000L; // 1 cell in the second since the first: 998 s left
        p.step();
        now = 2_050_000_000L; // 249 cells within 100 ms of the last drawing: not drawn
        for (int i = 0; i < 249; i++) {
            p.step();
        }
        // 250 cells in the 1.05 s since the first: 238 cells/s, 749 left: 3.15 s
        assertThat(p.line(now)).isEqualTo("planning: 251 of 1,000 cells (25%), 238 cells/s, 4 s left");
        now = 3_000_000_000L; // 251 cells in 2 s since the first: 125.5 cells/s, 748 left: 5.96 s
        p.step();
        // each drawing over the one before, padded over the 3 characters the shorter one leaves
        assertThat(err.toString())
                .isEqualTo("\rplanning: 1 of 1,000 cells (0%)"
                        + "\rplanning: 2 of 1,000 cells (0%), 1 cells/s, 16 min 38 s left"
                        + "\rplanning: 252 of 1,000 cells (25%), 126 cells/s, 6 s left   ");
        p.close();
        String erase = "\r" + " ".repeat("planning: 252 of 1,000 cells (25%), 126 cells/s, 6 s left".length()) + "\r";
        assertThat(err.toString()).endsWith(erase).doesNotContain("\n");
    }

    @Test
    void theLastCellIsAlwaysDrawnAndLongRunsCountMinutes() {
        StringWriter err = new StringWriter();
        Progress p = new Progress(new PrintWriter(err), true, () -> now, "planning", 3);
        now = 500_000_000L;
        p.step();
        now = 550_000_000L;
        p.step(); // within 100 ms: not drawn
        now = 600_000_000L;
        p.step(); // within 100 ms too, but the last
        assertThat(err.toString())
                .isEqualTo("\rplanning: 1 of 3 cells (33%)" + "\rplanning: 3 of 3 cells (100%), 20 cells/s, 0 s left");
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
