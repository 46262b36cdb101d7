package dev.vramplan.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vramplan.Shipped;
import dev.vramplan.store.LiveStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real server on a loopback port over a real H2 file (and PostgreSQL where VRAMPLAN_TEST_PG_URL is given), asked
 * over real HTTP: the answers are byte for byte what the commands print, errors are {error, field, suggestion}, and
 * a plan stored by another process shows without a restart.
 */
class ServeTest {
    static final String PG = System.getenv("VRAMPLAN_TEST_PG_URL");
    static final String MINIMAL = "src/test/resources/catalogs/minimal";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static String db;
    static ApiServer server;
    static int port;
    static final StringWriter LOG = new StringWriter();

    @BeforeAll
    static void serve() throws Exception {
        db = tmp.resolve("plans").toString();
        Http.Result plan = Http.cli("plan", "--catalog", "catalog", "--rules", "rules", "--db", db);
        assertThat(plan.code()).as(plan.err()).isZero();
        server = start(db);
        port = server.port();
    }

    @AfterAll
    static void stop() {
        server.stop();
        assertThat(LOG.toString()).as("failures of vramplan itself").isEmpty();
    }

    static ApiServer start(String where) throws Exception {
        return ApiServer.start(
                new ApiServer.Options("127.0.0.1", 0, 16, Duration.ofSeconds(30), Duration.ofSeconds(10)),
                LiveStore.open(where),
                Shipped::catalog,
                "test",
                new PrintWriter(LOG, true));
    }

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void queryAnswersExactlyWhatTheCommandPrints() throws Exception {
        for (String q : List.of(
                "model=yolov8s&gpu=t4",
                "model=yolov8s",
                "model=llama-3-8b&mode=inference",
                "model=yolov8s&gpu=t4&mode=train&run=1")) {
            List<String> args = new ArrayList<>(List.of("query", "--format", "json", "--db", db));
            for (String kv : q.split("&")) {
                String[] p = kv.split("=");
                args.addAll(List.of("--" + p[0], p[1]));
            }
            Http.Result cli = Http.cli(args.toArray(String[]::new));
            Http.Got got = Http.get(port, "/api/query?" + q);
            assertThat(got.status()).as(q).isEqualTo(200);
            assertThat(got.contentType()).isEqualTo("application/json; charset=utf-8");
            assertThat(got.body()).as(q).isEqualTo(cli.out());
        }
    }

    @Test
    void explainEstimateRunsAndDiffAnswerWhatTheirCommandsPrint() throws Exception {
        assertThat(Http.get(port, "/api/explain?model=yolov8s&gpu=t4&mode=train")
                        .body())
                .isEqualTo(Http.cli(
                                "explain",
                                "--model",
                                "yolov8s",
                                "--gpu",
                                "t4",
                                "--mode",
                                "train",
                                "--format",
                                "json",
                                "--db",
                                db)
                        .out());
        assertThat(Http.get(
                                port,
                                "/api/estimate?model=llama-3-8b&gpu=a100-sxm4-80gb&mode=train&precision=bf16&batch=4&seq-len=2048"
                                        + "&finetune=lora&gradient-checkpointing")
                        .body())
                .isEqualTo(Http.cli(
                                "estimate",
                                "--model",
                                "llama-3-8b",
                                "--gpu",
                                "a100-sxm4-80gb",
                                "--mode",
                                "train",
                                "--precision",
                                "bf16",
                                "--batch",
                                "4",
                                "--seq-len",
                                "2048",
                                "--finetune",
                                "lora",
                                "--gradient-checkpointing",
                                "--format",
                                "json")
                        .out());
        assertThat(Http.get(port, "/api/runs").body())
                .isEqualTo(Http.cli("runs", "--format", "json", "--db", db).out());
        assertThat(Http.get(port, "/api/diff?a=1&b=1").body())
                .isEqualTo(Http.cli("diff", "1", "1", "--format", "json", "--db", db)
                        .out())
                .isEqualTo("[ ]\n");
        JsonNode health = json(Http.get(port, "/health").body());
        assertThat(health.get("status").asText()).isEqualTo("ok");
        assertThat(health.get("latest_run").asLong()).isEqualTo(1);
    }

    /** Each error: status, then the body, exactly. */
    @Test
    void badParametersAre400AndUnknownIds404WithDidYouMean() throws Exception {
        expect("/api/query?model=yolov8ss", 404, "no model \"yolov8ss\" in run 1.", "model", "yolov8s");
        expect("/api/query?model=yolov8s&gpu=T4", 404, "no gpu \"T4\" in run 1.", "gpu", "t4");
        expect(
                "/api/query?model=yolov8s&mode=trian",
                400,
                "\"trian\" is not a mode: use train or inference",
                "mode",
                null);
        expect("/api/query?gpu=t4", 400, "required: give model=", "model", null);
        expect(
                "/api/query?modle=yolov8s",
                400,
                "unknown parameter: this endpoint takes model, gpu, mode, run.",
                "modle",
                "model");
        expect("/api/query?model=yolov8s&run=9", 404, "there is no run 9 in the database", "run", null);
        expect("/api/query?model=yolov8s&run=last", 400, "\"last\" is not a whole number", "run", null);
        expect("/api/explain?model=yolov8s", 400, "required: give gpu=", "gpu", null);
        expect("/api/diff?a=1&b=7", 404, "there is no run 7 in the database", "b", null);
        expect(
                "/api/estimate?model=llama-3-8b&gpu=a100&mode=train&precision=bf16&batch=4&seq-len=2048",
                404,
                "unknown gpu \"a100\".",
                "gpu",
                "a100-sxm4-40gb");
        expect(
                "/api/estimate?model=llama-3-8b&gpu=t4&mode=train&precision=bf17&batch=4&seq-len=2048",
                400,
                "\"bf17\" is not one of fp32, amp-bf16, amp-fp16, bf16, fp16, fp8, int8, int4.",
                "precision",
                "bf16");
        expect(
                "/api/estimate?model=llama-3-8b&gpu=t4&mode=train&precision=bf16&batch=0&seq-len=2048",
                400,
                "0 is out of range: it must be between 1 and 1048576",
                "batch",
                null);
        expect(
                "/api/estimate?model=yolov8s&gpu=t4&mode=train&precision=bf16&batch=4&seq-len=2048",
                400,
                "yolov8s takes images: give --resolution",
                "seq-len",
                null);
        expect("/api/estimat?model=x", 404, "no such path: /api/estimat", null, "/api/estimate");
        var r = Http.CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/runs"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(json(r.body()).get("error").asText())
                .isEqualTo("method POST is not allowed: the API is read-only, use GET");
    }

    static void expect(String url, int status, String error, String field, String suggestion) throws Exception {
        Http.Got got = Http.get(port, url);
        assertThat(got.status()).as(url + ": " + got.body()).isEqualTo(status);
        JsonNode b = json(got.body());
        assertThat(b.size()).as(url).isEqualTo(3);
        assertThat(b.get("error").asText()).as(url).isEqualTo(error);
        assertThat(b.get("field").isNull() ? null : b.get("field").asText())
                .as(url)
                .isEqualTo(field);
        assertThat(b.get("suggestion").isNull() ? null : b.get("suggestion").asText())
                .as(url)
                .isEqualTo(suggestion);
    }

    @Test
    void theReportAndTheOpenApiDocument() throws Exception {
        Http.Got page = Http.get(port, "/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(page.body())
                .startsWith("<!DOCTYPE html>")
                .contains("<title>vramplan report: run 1</title>", "<table id=\"matrix\">");
        JsonNode api = json(Http.get(port, "/openapi.json").body());
        assertThat(api.get("openapi").asText()).isEqualTo("3.0.3");
        List<String> paths = new ArrayList<>();
        api.get("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths)
                .containsExactlyInAnyOrder(
                        "/api/query",
                        "/api/explain",
                        "/api/estimate",
                        "/api/runs",
                        "/api/diff",
                        "/health",
                        "/",
                        "/openapi.json");
    }

    /** 2,000 requests, 16 at a time: every one answered in full, the same as the command line's. */
    @Test
    void twoThousandRequestsSixteenAtATime() throws Exception {
        String expected = Http.cli("query", "--model", "yolov8s", "--gpu", "t4", "--format", "json", "--db", db)
                .out();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Http.Got>> all = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                all.add(pool.submit(() -> Http.get(port, "/api/query?model=yolov8s&gpu=t4")));
            }
            int ok = 0;
            for (Future<Http.Got> f : all) {
                Http.Got g = f.get();
                assertThat(g.status()).as(g.body()).isEqualTo(200);
                assertThat(g.body()).isEqualTo(expected);
                ok++;
            }
            assertThat(ok).isEqualTo(2000);
        } finally {
            pool.shutdownNow();
        }
    }

    static Stream<String> stores() {
        return PG == null || PG.isBlank() ? Stream.of("h2") : Stream.of("h2", "postgresql");
    }

    /** A fresh, empty database of the kind (as the store tests make them). */
    static String fresh(String kind) throws Exception {
        if (kind.equals("h2")) {
            return Files.createTempDirectory(tmp, "h2").resolve("plans").toString();
        }
        try (var c = DriverManager.getConnection(PG);
                var st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS plan_text, plan_decision, plan_cell, plan_run, schema_version CASCADE");
        }
        return PG;
    }

    /** A plan stored by another process while the server runs shows at once, without a restart. */
    @ParameterizedTest
    @MethodSource("stores")
    void seesARunThatAPlanInAnotherProcessStores(String kind) throws Exception {
        String where = fresh(kind);
        Http.Result first = Http.cli("plan", "--catalog", MINIMAL, "--rules", "rules", "--db", where);
        assertThat(first.code()).as(first.err()).isZero();
        ApiServer s = start(where);
        try {
            int p = s.port();
            long before = json(Http.get(p, "/health").body()).get("latest_run").asLong();
            assertThat(Http.get(p, "/api/query?model=yolov8n&gpu=t4").body())
                    .isEqualTo(Http.cli("query", "--model", "yolov8n", "--gpu", "t4", "--format", "json", "--db", where)
                            .out());

            Http.Result second = Http.child("plan", "--catalog", "catalog", "--rules", "rules", "--db", where);
            assertThat(second.code()).as(second.err()).isZero();

            long after = json(Http.get(p, "/health").body()).get("latest_run").asLong();
            assertThat(after).isGreaterThan(before);
            assertThat(Http.get(p, "/api/runs").body())
                    .isEqualTo(
                            Http.cli("runs", "--format", "json", "--db", where).out());
            assertThat(json(Http.get(p, "/api/runs").body())).hasSize(2);
            Http.Got q = Http.get(p, "/api/query?model=yolov8s&gpu=t4");
            assertThat(q.status()).as(q.body()).isEqualTo(200);
            assertThat(q.body())
                    .isEqualTo(Http.cli("query", "--model", "yolov8s", "--gpu", "t4", "--format", "json", "--db", where)
                            .out());
            assertThat(Http.get(p, "/api/diff?a=" + before + "&b=" + after).body())
                    .isEqualTo(Http.cli(
                                    "diff",
                                    String.valueOf(before),
                                    String.valueOf(after),
                                    "--format",
                                    "json",
                                    "--db",
                                    where)
                            .out());
            assertThat(Http.get(p, "/").body())
                    .contains("<title>vramplan report: run " + after + "</title>", "Changes since run " + before);
        } finally {
            s.stop();
        }
    }
}
