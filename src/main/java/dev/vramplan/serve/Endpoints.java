package dev.vramplan.serve;

import dev.vramplan.answer.EstimateAnswer;
import dev.vramplan.answer.PlanAnswers;
import dev.vramplan.answer.RunAnswers;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.report.ReportHtml;
import dev.vramplan.report.RunReport;
import dev.vramplan.store.LiveStore;
import dev.vramplan.store.StoredRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What each path answers. Every JSON answer comes from the code the matching command prints ({@code answer}
 * package), so {@code /api/query?model=M&gpu=G} returns exactly what {@code vramplan query --model M --gpu G
 * --format json} prints.
 */
final class Endpoints {
    /** A path's parameters (every other is refused) and its answer. */
    record Route(List<String> params, Function<Params, Reply> answer) {
        Route {
            params = List.copyOf(params);
        }
    }

    private final LiveStore store;
    private final Supplier<Catalog> catalog;
    private final String version;
    private final byte[] openApi;
    /** The page of the latest run, made once per run. */
    private volatile CachedPage page;

    private record CachedPage(long run, String startedAt, Reply reply) {}

    Endpoints(LiveStore store, Supplier<Catalog> catalog, String version) {
        this.store = store;
        this.catalog = catalog;
        this.version = version;
        try (InputStream in = Endpoints.class.getResourceAsStream("/serve/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks serve/openapi.json");
            }
            this.openApi = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The routes by path. */
    Map<String, Route> routes() {
        Map<String, Route> r = new LinkedHashMap<>();
        r.put("/", new Route(List.of("run"), this::report));
        r.put("/health", new Route(List.of(), p -> health()));
        r.put("/openapi.json", new Route(List.of(), p -> new Reply(200, Reply.JSON, openApi)));
        r.put("/api/query", new Route(List.of("model", "gpu", "mode", "run"), this::query));
        r.put("/api/explain", new Route(List.of("model", "gpu", "mode", "run"), this::explain));
        r.put(
                "/api/estimate",
                new Route(
                        List.of(
                                "model",
                                "gpu",
                                "mode",
                                "precision",
                                "batch",
                                "resolution",
                                "seq-len",
                                "optimizer",
                                "no-flash-attention",
                                "finetune",
                                "trainable-params",
                                "lora-rank",
                                "adapter-dtype",
                                "gradient-checkpointing",
                                "ema",
                                "quantization",
                                "framework",
                                "max-objects",
                                "gpus",
                                "strategy",
                                "offload",
                                "engine",
                                "gpu-memory-utilization"),
                        this::estimate));
        r.put("/api/runs", new Route(List.of(), p -> Reply.json(RunAnswers.runsJson(store.read(s -> s.runs())))));
        r.put("/api/diff", new Route(List.of("a", "b"), this::diff));
        return r;
    }

    private Reply query(Params p) {
        String model = p.required("model");
        String gpu = p.text("gpu");
        String mode = PlanAnswers.checkMode(p.text("mode"));
        Long run = p.number("run");
        return Reply.json(PlanAnswers.queryJson(store.read(s -> PlanAnswers.query(s, run, model, gpu, mode))));
    }

    private Reply explain(Params p) {
        String model = p.required("model");
        String gpu = p.required("gpu");
        String mode = PlanAnswers.checkMode(p.text("mode"));
        Long run = p.number("run");
        return Reply.json(PlanAnswers.explainJson(store.read(s -> PlanAnswers.explain(s, run, model, gpu, mode))));
    }

    private Reply estimate(Params p) {
        EstimateAnswer.Question q = new EstimateAnswer.Question(
                p.required("model"),
                p.required("gpu"),
                p.required("mode"),
                p.required("precision"),
                p.requiredInteger("batch"),
                p.integer("resolution"),
                p.integer("seq-len"),
                p.text("optimizer"),
                p.flag("no-flash-attention"),
                p.text("finetune"),
                p.number("trainable-params"),
                p.integer("lora-rank"),
                p.text("adapter-dtype"),
                p.flag("gradient-checkpointing"),
                p.flag("ema"),
                p.text("quantization"),
                p.text("framework"),
                p.integer("max-objects"),
                p.integer("gpus") == null ? 1 : p.integer("gpus"),
                p.text("strategy"),
                p.text("offload"),
                p.text("engine"),
                p.decimal("gpu-memory-utilization"));
        return Reply.json(EstimateAnswer.of(q, catalog).json());
    }

    private Reply diff(Params p) {
        long a = p.requiredNumber("a");
        long b = p.requiredNumber("b");
        return Reply.json(RunAnswers.diffJson(store.read(s -> RunAnswers.diff(s, a, b, "a", "b"))));
    }

    private Reply health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "ok");
        m.put("latest_run", store.read(s -> s.latestRun().orElse(null)));
        return Reply.json(m);
    }

    /** The report of run {@code run=} or of the latest run, made once per latest run. */
    private Reply report(Params p) {
        Long asked = p.number("run");
        if (asked != null) {
            return Reply.html(ReportHtml.of(store.read(s -> RunReport.of(s, asked, version))));
        }
        return store.read(s -> {
            long id = PlanAnswers.runId(s, null);
            StoredRun run = s.run(id).orElseThrow();
            synchronized (this) { // one page made at a time: requests meanwhile wait for it, not make it again
                CachedPage c = page;
                if (c != null
                        && c.run() == id
                        && c.startedAt().equals(run.startedAt().toString())) {
                    return c.reply();
                }
                Reply r = Reply.html(ReportHtml.of(RunReport.of(s, id, version)));
                page = new CachedPage(id, run.startedAt().toString(), r);
                return r;
            }
        });
    }
}
