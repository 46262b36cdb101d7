package dev.vramplan.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.catalog.Mode;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.plan.CellPlan;
import dev.vramplan.plan.Decision;
import dev.vramplan.plan.PlanResult;
import dev.vramplan.plan.Planner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real H2 file, and a real PostgreSQL server where one is given (VRAMPLAN_TEST_PG_URL; .ci/run starts one):
 * plans go in and come back as they were; a failing run leaves nothing behind.
 */
class PlanStoreTest {
    static PlanResult plan;
    static final String PG = System.getenv("VRAMPLAN_TEST_PG_URL");

    @TempDir
    Path tmp;

    /** The databases every store test runs against: an H2 file, and PostgreSQL when a server is given. */
    static Stream<String> stores() {
        return PG == null || PG.isBlank() ? Stream.of("h2") : Stream.of("h2", "postgresql");
    }

    /** A fresh, empty database of the kind. */
    String fresh(String kind) throws Exception {
        if (kind.equals("h2")) {
            return Files.createTempDirectory(tmp, "h2").resolve("plans").toString();
        }
        try (var c = DriverManager.getConnection(PG);
                var st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS plan_text, plan_decision, plan_cell, plan_run, schema_version CASCADE");
        }
        return PG;
    }

    /** Stores the minimal plan once in {@code db}; returns the run's id. */
    static long storeOnce(String db) {
        try (PlanStore s = PlanStore.open(db)) {
            return s.save(plan, "catalog", "rules", "test");
        }
    }

    /** The one number a SQL query returns, read behind the store's back. */
    static long count(String db, String sql) throws SQLException {
        String url = db.startsWith("jdbc:") ? db : PlanStore.url(db) + ";ACCESS_MODE_DATA=r";
        try (var c = DriverManager.getConnection(url);
                var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    interface SqlWork {
        void run(Connection c) throws SQLException;
    }

    /**
     * Writes to the database behind the store's back, as an older vramplan would have: an H2 file written in place
     * has no sum to match, as a file from before vramplan kept sums.
     */
    static void writeBehind(String db, SqlWork work) throws Exception {
        try (var c = DriverManager.getConnection(PlanStore.url(db))) {
            work.run(c);
        }
        if (!db.startsWith("jdbc:")) {
            Files.deleteIfExists(Path.of(db + ".sum"));
        }
    }

    @BeforeAll
    static void planMinimal() {
        // the minimal catalog with the shipped bands, so that cells carry a band to store
        Catalog m = CatalogLoader.load(Path.of("src/test/resources/catalogs/minimal"));
        plan = new Planner(Shipped.rules())
                .plan(new Catalog(
                        m.gpus(),
                        m.models(),
                        m.fleetCards(),
                        m.workloads(),
                        m.calibrations(),
                        Shipped.catalog().bands()));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aPlanRoundTrips(String kind) throws Exception {
        String db = fresh(kind);
        long run = storeOnce(db);
        if (kind.equals("h2")) {
            assertThat(Files.exists(Path.of(db + ".mv.db"))).isTrue();
        }
        try (PlanStore s = PlanStore.open(db)) {
            assertThat(s.latestRun()).contains(run);
            List<StoredCell> cells = s.cells(run, null, null, null, true);
            assertThat(cells).hasSize(plan.cells().size());
            for (int i = 0; i < cells.size(); i++) {
                CellPlan p = plan.cells().get(i);
                StoredCell c = cells.get(i);
                assertThat(c.gpuId()).isEqualTo(p.gpuId());
                assertThat(c.workloadId()).isEqualTo(p.workloadId());
                assertThat(c.mode()).isEqualTo(p.mode().id());
                assertThat(c.feasible()).isEqualTo(p.feasible());
                assertThat(c.precision()).isEqualTo(p.precision());
                assertThat(c.batch()).isEqualTo(p.batch());
                assertThat(c.resolutionPx()).isEqualTo(p.resolutionPx());
                assertThat(c.seqLenTokens()).isEqualTo(p.seqLenTokens());
                assertThat(c.rule()).isEqualTo(p.rule());
                assertThat(c.reason()).isEqualTo(p.reason());
                assertThat(c.trail()).isEqualTo(p.trail());
                if (p.feasible()) {
                    assertThat(c.deviceBytes()).isEqualTo(p.estimate().deviceBytes());
                    assertThat(c.breakdown().values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum())
                            .isEqualTo(p.estimate().deviceBytes());
                    // schema version 4: the band
                    assertThat(c.deviceBytesHigh())
                            .isEqualTo(p.deviceBytesHigh())
                            .isGreaterThan(c.deviceBytes());
                    assertThat(c.bandConfidence()).isEqualTo(p.band().confidence());
                    assertThat(c.bandGroup()).isEqualTo(p.band().group());
                    assertThat(c.bandPoints()).isEqualTo(p.band().points()).isPositive();
                } else {
                    assertThat(c.deviceBytesHigh()).isNull();
                    assertThat(c.bandGroup()).isNull();
                }
            }
            assertThat(s.cells(run, "yolov8n", "t4", "train", false)).hasSize(1);
            assertThat(s.cells(run, "yolov8n", "t4", "inference", false)).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aFailedRunLeavesTheDatabaseAsItWas(String kind) throws Exception {
        String db = fresh(kind);
        storeOnce(db);
        // a cell whose reason is longer than the column: its insert fails after the run row and earlier cells went in
        List<CellPlan> cells = new ArrayList<>(plan.cells());
        CellPlan last = cells.get(cells.size() - 1);
        cells.set(
                cells.size() - 1,
                CellPlan.infeasible(
                        last.gpuId(),
                        last.workloadId(),
                        last.modelId(),
                        Mode.TRAIN,
                        last.usableBytes(),
                        "r",
                        "x".repeat(5000),
                        List.of()));
        try (PlanStore s = PlanStore.open(db)) {
            assertThatThrownBy(() -> s.save(new PlanResult(cells, 0, 0), "catalog", "rules", "test"))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("nothing was written");
            assertThat(s.runCount()).isEqualTo(1);
            assertThat(s.cells(s.latestRun().orElseThrow(), null, null, null, false))
                    .hasSize(plan.cells().size());
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void planningThatFailsWhileCellsAreStreamedLeavesNothing(String kind) throws Exception {
        String db = fresh(kind);
        try (PlanStore s = PlanStore.open(db)) {
            s.save(plan, "catalog", "rules", "test");
            // more cells than one batch reach the database before planning fails
            assertThatThrownBy(() -> s.save(RunInfo.of("catalog", "rules", "test"), sink -> {
                        for (int i = 0; i < 3 * PlanStore.BATCH; i++) {
                            sink.accept(plan.cells().get(i % plan.cells().size()));
                        }
                        throw new InvalidInputException("rule \"x\" keeps firing");
                    }))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("rule \"x\" keeps firing");
            assertThat(s.runCount()).isEqualTo(1);
            assertThat(s.cells(s.latestRun().orElseThrow(), null, null, null, false))
                    .hasSize(plan.cells().size());
        }
        assertThat(count(db, "SELECT COUNT(*) FROM plan_cell"))
                .isEqualTo(plan.cells().size());
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aRunThatNeverCompletedIsNotShownAndTheNextRunRemovesIt(String kind) throws Exception {
        String db = fresh(kind);
        long first = storeOnce(db);
        // what a planner killed between two of its transactions leaves: an incomplete run with some of its cells
        long[] dead = new long[1];
        writeBehind(db, c -> {
            try (var st = c.createStatement()) {
                st.execute(
                        "INSERT INTO plan_run (started_at, catalog_dir, rules_dir, tool_version, cells, feasible, complete)"
                                + " VALUES (TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00', 'c', 'r', 't', 0, 0, FALSE)");
                try (var rs = st.executeQuery("SELECT MAX(id) FROM plan_run")) {
                    rs.next();
                    dead[0] = rs.getLong(1);
                }
                st.execute(
                        "INSERT INTO plan_cell (run_id, gpu_id, workload_id, model_id, job_mode, feasible, usable_bytes,"
                                + " rule_name, reason) SELECT " + dead[0]
                                + ", gpu_id, workload_id, model_id, job_mode, feasible,"
                                + " usable_bytes, rule_name, reason FROM plan_cell WHERE run_id = " + first);
            }
        });
        try (PlanStore s = PlanStore.open(db)) {
            assertThat(s.latestRun()).contains(first);
            assertThat(s.runs()).extracting(StoredRun::id).containsExactly(first);
            assertThat(s.run(dead[0])).isEmpty();
            assertThat(s.runCount()).isEqualTo(1);
            long next = s.save(plan, "catalog", "rules", "test");
            assertThat(s.runs()).extracting(StoredRun::id).containsExactly(next, first);
        }
        assertThat(count(db, "SELECT COUNT(*) FROM plan_cell WHERE run_id = " + dead[0]))
                .as("cells of the dead run")
                .isZero();
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aFewCellsReadWithTheTextsTheirTrailsNameOnly(String kind) throws Exception {
        String db = fresh(kind);
        long run = storeOnce(db);
        try (PlanStore s = PlanStore.open(db)) {
            // a cell read alone (as explain reads the first of a model on a card) has the trail it was planned with,
            // its texts looked up by number; so do the first few together (the whole run: aPlanRoundTrips)
            for (CellPlan p : plan.cells()) {
                CellPlan first = plan.cells().stream()
                        .filter(o ->
                                o.modelId().equals(p.modelId()) && o.gpuId().equals(p.gpuId()) && o.mode() == p.mode())
                        .findFirst()
                        .orElseThrow();
                List<StoredCell> one =
                        s.cells(run, p.modelId(), p.gpuId(), p.mode().id(), true, 1);
                assertThat(one).hasSize(1);
                assertThat(one.get(0).trail())
                        .as(first.gpuId() + "/" + first.workloadId())
                        .isEqualTo(first.trail());
            }
            List<StoredCell> few = s.cells(run, null, null, null, true, PlanReader.FEW_CELLS);
            assertThat(few)
                    .extracting(StoredCell::trail)
                    .containsExactlyElementsOf(plan.cells().stream()
                            .limit(PlanReader.FEW_CELLS)
                            .map(CellPlan::trail)
                            .toList());
        }
        assertThat(count(db, "SELECT COUNT(*) FROM plan_text WHERE run_id = " + run))
                .as("reasons are stored once per run")
                .isLessThan(
                        plan.cells().stream().mapToLong(c -> c.trail().size()).sum());
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aRunLargerThanOneTransactionIsStoredWhole(String kind) throws Exception {
        String db = fresh(kind);
        List<CellPlan> many = new ArrayList<>();
        while (many.size() < 2 * PlanStore.BATCH + 7) {
            many.addAll(plan.cells());
        }
        try (PlanStore s = PlanStore.open(db)) {
            long run = s.save(new PlanResult(many, 0, 0), "catalog", "rules", "test");
            assertThat(s.run(run).orElseThrow().cells()).isEqualTo(many.size());
            assertThat(s.cells(run, null, null, null, false)).hasSize(many.size());
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void runsStoredBeforeSchemaVersion3KeepTheirTrails(String kind) throws Exception {
        String db = fresh(kind);
        long run = storeOnce(db);
        // what version 2 wrote: no trail column value, one plan_decision row per decision
        CellPlan first = plan.cells().get(0);
        long cell = count(db, "SELECT MIN(id) FROM plan_cell WHERE run_id = " + run);
        writeBehind(db, c -> {
            try (var st = c.createStatement()) {
                st.execute("UPDATE plan_cell SET trail = NULL WHERE id = " + cell);
            }
            try (var ps = c.prepareStatement(
                    "INSERT INTO plan_decision (cell_id, seq, kind, precision_name, resolution_px,"
                            + " seq_len_tokens, batch_size, device_bytes, rule_name, reason) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                int seq = 0;
                for (Decision d : first.trail()) {
                    ps.setLong(1, cell);
                    ps.setInt(2, seq++);
                    ps.setString(3, d.kind().name().toLowerCase(Locale.ROOT));
                    ps.setString(4, d.precision());
                    ps.setObject(5, d.resolutionPx(), Types.INTEGER);
                    ps.setObject(6, d.seqLenTokens(), Types.INTEGER);
                    ps.setObject(7, d.batch(), Types.INTEGER);
                    ps.setObject(8, d.deviceBytes(), Types.BIGINT);
                    ps.setString(9, d.rule());
                    ps.setString(10, d.reason());
                    ps.executeUpdate();
                }
            }
        });
        try (PlanStore s = PlanStore.open(db)) {
            List<StoredCell> cells = s.cells(run, null, null, null, true);
            assertThat(cells.get(0).trail()).isNotEmpty().isEqualTo(first.trail());
            assertThat(cells.get(1).trail()).isEqualTo(plan.cells().get(1).trail());
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void queryInputsAreBoundValuesNotSql(String kind) throws Exception {
        String db = fresh(kind);
        try (PlanStore s = PlanStore.open(db)) {
            long run = s.save(plan, "catalog", "rules", "test");
            assertThat(s.cells(run, "x' OR '1'='1", null, null, false)).isEmpty();
            assertThat(s.cells(run, "yolov8n'; DROP TABLE plan_cell; --", "t4", null, false))
                    .isEmpty();
            assertThat(s.cells(run, "yolov8n", null, null, false)).isNotEmpty();
            assertThat(s.cells(run, "ünïcødé 模型 \u0000", "'\"\\", "train'--", false))
                    .isEmpty();
            assertThat(s.runCount()).isEqualTo(1);
        }
    }

    @Test
    void theMigrationListMatchesTheFilesInDb() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("db"))) {
            assertThat(s.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".sql"))
                            .sorted()
                            .toList())
                    .isEqualTo(Migrations.FILES);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void migrationsRunOnceAndAreRecorded(String kind) throws Exception {
        String db = fresh(kind);
        storeOnce(db);
        try (PlanStore s = PlanStore.open(db)) { // opening again must not re-apply V1
            assertThat(s.runCount()).isEqualTo(1);
        }
    }

    @Test
    void anUnopenableDatabaseIsOneClearLine() throws Exception {
        Path file = tmp.resolve("not-a-folder");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> PlanStore.open(file.resolve("db").toString()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot create the folder for the database");
    }

    @Test
    void decisionKindsSurvive() {
        assertThat(plan.cells())
                .anySatisfy(
                        c -> assertThat(c.trail()).extracting(Decision::kind).contains(Decision.Kind.SETTING));
    }
}
