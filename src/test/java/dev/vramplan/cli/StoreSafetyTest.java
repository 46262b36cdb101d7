package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a crash, a damaged file and many processes at once can and cannot do to stored plans, with real processes
 * (the jar's entry point on this class path) and a real H2 file: plans killed with SIGKILL mid-write, a file cut
 * short or changed on disk, sixteen queries at once and queries beside a plan being stored.
 */
class StoreSafetyTest {
    static final Path MINIMAL = Path.of("src/test/resources/catalogs/minimal");
    /** 20 cards × 260 workloads: a plan long enough to be killed or queried while it writes. */
    static final Path BIG = Path.of("src/test/resources/catalogs/large-fleet");

    @TempDir
    static Path tmp;

    static String db;
    static String firstRun;

    @BeforeAll
    static void oneRunStored() {
        db = tmp.resolve("plans").toString();
        CliTest.Result r = CliTest.run("plan", "--db", db);
        assertThat(r.code()).as(r.err()).isZero();
        firstRun = export(db);
    }

    static String export(String db) {
        CliTest.Result r = CliTest.run("export", "--run", "1", "--format", "csv", "--db", db);
        assertThat(r.code()).as(r.err()).isZero();
        return r.out();
    }

    /** A command running as its own JVM, its output drained as it comes (a full pipe would stall it). */
    record Running(Process process, CompletableFuture<String> out, CompletableFuture<String> err) {
        boolean isAlive() {
            return process.isAlive();
        }
    }

    /** The command as its own JVM, as a user starts it. */
    static Running start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                // as the launcher: JVM warnings (a perf-data file of a reused process id) on stderr, not in the output
                "-Xlog:disable",
                "-Xlog:all=warning:stderr",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.vramplan.cli.Main"));
        cmd.addAll(List.of(args)); // the launcher's JVM options for short commands: sixteen JVMs start on two cores
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        var out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), DRAIN);
        var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), DRAIN);
        return new Running(p, out, err);
    }

    static final ExecutorService DRAIN = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "drain");
        t.setDaemon(true);
        return t;
    });

    record Output(int code, String out, String err) {}

    static Output finish(Running r) throws Exception {
        assertThat(r.process().waitFor(300, TimeUnit.SECONDS))
                .as("the process ends")
                .isTrue();
        return new Output(r.process().exitValue(), r.out().get(), r.err().get());
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The evidence's kill loop, shorter: a large plan killed with SIGKILL at random moments (before, while and
     * after it writes), then the store opens, run 1 is unchanged and the next plan stores.
     */
    @Test
    void planKilledAtRandomMomentsLosesNothing() throws Exception {
        Random random = new Random(20261202);
        long[] killAfterMs = {400, 1500, 3000 + random.nextInt(2000), 5000 + random.nextInt(4000)};
        String db = copyOfTheStore("killed");
        int before = runs(db);
        for (long ms : killAfterMs) {
            Process p = start("plan", "--catalog", BIG.toString(), "--db", db).process();
            if (!p.waitFor(ms, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
            }
            p.waitFor();
            int after = runs(db);
            assertThat(after)
                    .as("killed after %d ms: a run is stored whole or not at all", ms)
                    .isIn(before, before + 1);
            before = after;
            assertThat(export(db)).as("run 1 after a kill at %d ms", ms).isEqualTo(firstRun);
        }
        CliTest.Result next = CliTest.run("plan", "--catalog", MINIMAL.toString(), "--db", db);
        assertThat(next.code()).as(next.err()).isZero();
        assertThat(runs(db)).isEqualTo(before + 1);
        assertThat(Files.exists(Path.of(db + ".writing.mv.db")))
                .as("the killed writer's copy is gone")
                .isFalse();
    }

    static int runs(String db) {
        CliTest.Result r = CliTest.run("runs", "--format", "json", "--db", db);
        assertThat(r.code()).as(r.err()).isZero();
        return (int) r.out().lines().filter(l -> l.contains("\"run\"")).count();
    }

    @Test
    void aFileCutShortByOneByteIsReportedAndNeverWrittenOver() throws Exception {
        String cut = copyOfTheStore("cut");
        Path file = Path.of(cut + ".mv.db");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() - 1);
        }
        byte[] damaged = Files.readAllBytes(file);
        String message = "vramplan: " + cut + ": the database file " + file + " is damaged: it is 1 byte shorter than"
                + " vramplan last wrote it; nothing was read from it or written to it. Restore it from a backup (if you"
                + " restored it on purpose, delete " + cut
                + ".sum), or move it aside and plan again to start a new history\n";
        for (String[] args : List.of(new String[] {"runs"}, new String[] {"query", "--model", "yolov8s"}, new String[] {
            "plan", "--catalog", MINIMAL.toString()
        })) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("--db", cut));
            CliTest.Result r = CliTest.run(all.toArray(String[]::new));
            assertThat(r.code()).as(args[0]).isEqualTo(1);
            assertThat(r.err()).as(args[0]).isEqualTo(message);
            assertThat(r.out()).as(args[0]).isEmpty();
        }
        assertThat(Files.readAllBytes(file)).as("the damaged file is as it was").isEqualTo(damaged);
    }

    @Test
    void aFileChangedOnDiskIsReported() throws Exception {
        String changed = copyOfTheStore("changed");
        Path file = Path.of(changed + ".mv.db");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x10);
        }
        CliTest.Result r = CliTest.run("query", "--model", "yolov8s", "--db", changed);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .startsWith("vramplan: " + changed + ": the database file " + file + " is damaged: its contents"
                        + " differ from what vramplan last wrote (same size, another checksum); nothing was read");
    }

    /** A database from before vramplan kept sums (no sum file) is read, and gets one with its next run. */
    @Test
    void aDatabaseWithoutSumsIsReadAndGetsThemWithTheNextRun() throws Exception {
        String old = copyOfTheStore("old");
        Files.delete(Path.of(old + ".sum"));
        assertThat(export(old)).isEqualTo(firstRun);
        assertThat(CliTest.run("plan", "--catalog", MINIMAL.toString(), "--db", old)
                        .code())
                .isZero();
        assertThat(Path.of(old + ".sum")).exists();
        assertThat(export(old)).isEqualTo(firstRun);
    }

    static final String PG = System.getenv("VRAMPLAN_TEST_PG_URL");

    /** The stores these tests run on: an H2 file, and PostgreSQL where a server is given (.ci/run starts one). */
    static Stream<String> stores() {
        return PG == null || PG.isBlank() ? Stream.of("h2") : Stream.of("h2", "postgresql");
    }

    /** A store of the kind holding run 1 of the shipped fleet (a fresh PostgreSQL schema). */
    static String storeWithOneRun(String kind, String name) throws Exception {
        if (kind.equals("h2")) {
            return copyOfTheStore(name);
        }
        try (var c = DriverManager.getConnection(PG);
                var st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS plan_text, plan_decision, plan_cell, plan_run, schema_version CASCADE");
        }
        CliTest.Result r = CliTest.run("plan", "--db", PG);
        assertThat(r.code()).as(r.err()).isZero();
        return PG;
    }

    /**
     * Queries at once, each its own process (a JVM each: 6 in every 'mvn test', 16 with 'mvn -Plong test', which
     * .ci/run also runs).
     */
    static final int CONCURRENT_QUERIES = Integer.getInteger("vramplan.long.queries", 6);

    /** Many queries at once, each its own process: all answer, all the same. */
    @ParameterizedTest
    @MethodSource("stores")
    void manyQueriesAtOnce(String kind) throws Exception {
        String db = storeWithOneRun(kind, "many");
        List<Running> ps = new ArrayList<>();
        for (int i = 0; i < CONCURRENT_QUERIES; i++) {
            ps.add(start("query", "--model", "yolov8s", "--gpu", "t4", "--format", "json", "--db", db));
        }
        String first = null;
        for (Running p : ps) {
            Output o = finish(p);
            assertThat(o.code()).as(o.err()).isZero();
            assertThat(o.out()).contains("\"model\" : \"yolov8s\"");
            first = first == null ? o.out() : first;
            assertThat(o.out()).isEqualTo(first);
        }
    }

    /** Queries while a large plan is being stored see the last complete run, and the plan stores. */
    @ParameterizedTest
    @MethodSource("stores")
    void queriesBesideAPlanBeingStored(String kind) throws Exception {
        String busy = storeWithOneRun(kind, "busy");
        String before = CliTest.run("query", "--model", "yolov8s", "--format", "json", "--db", busy)
                .out();
        Running plan = start("plan", "--catalog", BIG.toString(), "--db", busy);
        List<String> seen = new ArrayList<>();
        while (plan.isAlive()) {
            CliTest.Result q = CliTest.run("query", "--model", "yolov8s", "--format", "json", "--db", busy);
            assertThat(q.code()).as(q.err()).isZero();
            seen.add(q.out());
        }
        Output o = finish(plan);
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("run 2: 5200 cells planned");
        String after = CliTest.run("query", "--model", "yolov8s", "--format", "json", "--db", busy)
                .out();
        assertThat(after).isNotEqualTo(before);
        // each query saw a complete run: the one before, or (after the plan stored and before its JVM ended) run 2
        assertThat(seen)
                .hasSizeGreaterThan(1)
                .allMatch(q -> q.equals(before) || q.equals(after))
                .contains(before);
        assertThat(runs(busy)).isEqualTo(2);
    }

    /** A new database in a folder nobody may write: one line on standard error, nothing on standard output. */
    @Test
    void aReadOnlyFolderIsOneLineOnStandardError() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("ro"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mnt.toString())
                .redirectErrorStream(true)
                .start();
        Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a read-only tmpfs here");
        try {
            String ro = mnt.resolve("plans").toString();
            CliTest.Result r = CliTest.run("plan", "--catalog", MINIMAL.toString(), "--db", ro);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err())
                    .isEqualTo("vramplan: " + ro + ": cannot write in " + mnt + " (Read-only file system): give"
                            + " a --db in a folder you can write to\n");
            String url = "jdbc:h2:file:" + ro;
            CliTest.Result u = CliTest.run("plan", "--catalog", MINIMAL.toString(), "--db", url);
            assertThat(u.code()).isEqualTo(1);
            assertThat(u.out()).isEmpty();
            assertThat(u.err())
                    .startsWith("vramplan: " + url + ": cannot open the database: ")
                    .doesNotContain("\tat ");
            assertThat(u.err().lines().count()).isEqualTo(1);
        } finally {
            new ProcessBuilder("umount", mnt.toString()).start().waitFor();
        }
    }

    /** A copy of the store with run 1 (the database file with its sums). */
    static String copyOfTheStore(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.copy(Path.of(db + ".mv.db"), dir.resolve("plans.mv.db"));
        Files.copy(Path.of(db + ".sum"), dir.resolve("plans.sum"));
        return dir.resolve("plans").toString();
    }
}
