package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.vramplan.Shipped;
import dev.vramplan.rules.PolicySession;
import dev.vramplan.store.PlanStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules cannot loop, but conditions can still be slow or hungry without one: a pattern that is slow to match, a join
 * of every fact with every other. Every cell is planned under a time budget and a memory bound, and the rule that
 * overruns is named, with exit code 2 and no run stored.
 */
class RuleBudgetTest {
    static final String MINIMAL = "src/test/resources/catalogs/minimal";

    @TempDir
    Path tmp;

    Path rules(String drl) throws IOException {
        Path dir = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        Files.writeString(dir.resolve("slow.drl"), "package vramplan.policy;\nimport dev.vramplan.rules.*;\n\n" + drl);
        return dir;
    }

    /** The same command in a JVM of its own, as a user runs it: exit code and everything it printed. */
    static CliTest.Result child(List<String> jvm, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.vramplan.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        // read both streams while it runs
        var out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running after 180 s: " + cmd);
        }
        return new CliTest.Result(p.exitValue(), out.get(), err.get());
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int runs(Path db) {
        try (PlanStore s = PlanStore.open(db.toString())) {
            return s.runCount();
        }
    }

    /**
     * Each firing adds a setting whose reason the next evaluation matches against a pattern that backtracks for a
     * few milliseconds: 100,000 firings would take minutes. With the budget lowered to 3 s for the test (more than the
     * shipped rules need to warm up in a cold rule base on a loaded machine, which is when the cell starts), the
     * watchdog halts the session between two evaluations and the cell fails naming the rule.
     */
    @Test
    void aRuleThatRunsPastTheBudgetIsStoppedAndNamed() throws IOException {
        Path dir = rules(
                """
                rule "Ask again and again"
                when
                    $s : Setting()
                    Cell( id == $s.cell, $s.reason matches "(.*a){5}" || $s.value >= 0 )
                then
                    insert(Setting.minBatch(kcontext, $s.getCell(), 1, "aaaaaaaaaaaaaaaaaaaa!"));
                end
                """);
        Path db = tmp.resolve("db");
        Duration before = PolicySession.budget(Duration.ofSeconds(3));
        try {
            CliTest.Result r = assertTimeoutPreemptively(
                    Duration.ofSeconds(90),
                    () -> CliTest.run("plan", "--catalog", MINIMAL, "--rules", dir.toString(), "--db", db.toString()));
            assertThat(r.err())
                    .isEqualTo(dir.resolve("slow.drl") + ": rule \"Ask again and again\" ran longer than 3 s"
                            + " for cell t4 × yolov8n-train: stopped\n");
            assertThat(r.code()).isEqualTo(2);
        } finally {
            PolicySession.budget(before);
        }
        assertThat(runs(db)).isZero();
    }

    /**
     * A condition stuck in one evaluation (a pattern that backtracks for longer than anyone waits) does not come back
     * when halted, and Java cannot stop the thread: the process prints the line and exits with 2, with the real budget
     * of 10 s, keeping no part of the run.
     */
    @Test
    void aRuleStuckInOneEvaluationEndsTheProcessWithItsName() throws Exception {
        Path dir = rules(
                """
                rule "Write a long reason"
                when
                    $c : Cell()
                then
                    insert(Setting.minBatch(kcontext, $c.getId(), 1,
                            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"));
                end

                rule "Reasons made of a's"
                when
                    $s : Setting()
                    Cell( id == $s.cell, $s.reason matches "(.*a){20}" )
                then
                    insert(Setting.minBatch(kcontext, $s.getCell(), 2, "never"));
                end
                """);
        Path db = tmp.resolve("db");
        long t0 = System.nanoTime();
        CliTest.Result r =
                child(List.of(), "plan", "--catalog", MINIMAL, "--rules", dir.toString(), "--db", db.toString());
        assertThat(r.err())
                .isEqualTo(dir.resolve("slow.drl") + ": rule \"Reasons made of a's\" ran longer than 10 s"
                        + " for cell t4 × yolov8n-train: stopped\n");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(PolicySession.CELL_BUDGET);
        assertThat(runs(db)).isZero();
    }

    /** A join of every candidate with every other, five deep, stores tuples without end: stopped at the cell's memory bound. */
    @Test
    void aRuleThatFillsTheMemoryIsStoppedAndNamed() throws Exception {
        Path dir = rules(
                """
                rule "Compare every five candidates"
                when
                    $a : Candidate()
                    $b : Candidate( cell == $a.cell )
                    $c : Candidate( cell == $a.cell )
                    $d : Candidate( cell == $a.cell )
                    $e : Candidate( cell == $a.cell )
                    Candidate( batch + $a.batch + $b.batch + $c.batch + $d.batch + $e.batch < 0 )
                then
                    insert(Rejection.of(kcontext, $a, "never"));
                end
                """);
        Path db = tmp.resolve("db");
        CliTest.Result r = child(
                List.of("-Xmx1g"),
                "plan",
                "--exhaustive",
                "--catalog",
                MINIMAL,
                "--rules",
                dir.toString(),
                "--db",
                db.toString());
        assertThat(r.err())
                .isEqualTo(dir.resolve("slow.drl") + ": rule \"Compare every five candidates\" used more than 256 MiB"
                        + " for cell t4 × yolov8n-train: stopped\n");
        assertThat(r.code()).isEqualTo(2);
        assertThat(runs(db)).isZero();
    }

    /** Without loops a rule can still double a text at every firing; decisions keep their texts short. */
    @Test
    void aRuleThatGrowsItsTextsIsStoppedAndNamed() throws IOException {
        Path dir = rules(
                """
                rule "Say the cell twice"
                when
                    $s : Setting( name == "batch_step" )
                then
                    insert(Setting.powersOfTwo(kcontext, $s.getCell() + $s.getCell()));
                end
                """);
        CliTest.Result r = CliTest.run(
                "plan",
                "--catalog",
                MINIMAL,
                "--rules",
                dir.toString(),
                "--db",
                tmp.resolve("db").toString());
        assertThat(r.err())
                .isEqualTo(dir.resolve("slow.drl") + ": rule \"Say the cell twice\" failed in its then:"
                        + " IllegalArgumentException: a cell of 1024 characters (at most 1000)\n");
        assertThat(r.code()).isEqualTo(2);
    }
}
