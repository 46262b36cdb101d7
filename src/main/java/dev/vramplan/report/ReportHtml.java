package dev.vramplan.report;

import dev.vramplan.answer.Json;
import dev.vramplan.input.Sizes;
import dev.vramplan.store.RunDiff;
import dev.vramplan.store.StoredCell;
import dev.vramplan.store.StoredRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link RunReport} as one self-contained HTML page: its style, script and drawing inline, nothing fetched, so it
 * opens from a mail attachment or an artifact store. The matrix is plain HTML (readable without the script); the
 * script draws the chosen cell's memory as a stacked bar.
 */
public final class ReportHtml {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT);
    private static final String CSS = resource("report.css");
    private static final String JS = resource("report.js");

    private ReportHtml() {}

    private static String resource(String name) {
        try (InputStream in = ReportHtml.class.getResourceAsStream("/report/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks report/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The page. */
    public static String of(RunReport r) {
        StoredRun run = r.run();
        StringBuilder h = new StringBuilder(64 * 1024 + r.cells().size() * 900);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>vramplan report: run ")
                .append(run.id())
                .append("</title>\n<style>\n")
                .append(CSS)
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>vramplan: run ")
                .append(run.id())
                .append("</h1>\n<p class=\"sub\">")
                .append(String.format(
                        Locale.ROOT,
                        "%,d cells, %,d feasible, %,d infeasible; planned %s",
                        run.cells(),
                        run.feasible(),
                        run.infeasible(),
                        esc(run.startedAt().atZoneSameInstant(ZoneOffset.UTC).format(UTC))))
                .append("</p>\n");
        matrix(h, r);
        h.append("<h2>Memory of <span id=\"bd-title\">a cell</span></h2>\n")
                .append("<p id=\"bd-summary\" class=\"note\">Choose a cell of the matrix.</p>\n")
                .append(
                        "<svg id=\"bd-svg\" xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"0\" role=\"img\""
                                + " aria-label=\"memory breakdown\"></svg>\n<table id=\"bd-table\"></table>\n")
                .append(
                        "<p class=\"note\">The budget is the memory a rule allows, as the memory rule that rejected a larger candidate"
                                + " stated it in the decision trail; a cell no memory rule stopped shows none.</p>\n");
        changes(h, r);
        provenance(h, r);
        h.append("<script type=\"application/json\" id=\"cells\">")
                .append(scriptSafe(Json.text(cellData(r.cells()))))
                .append("</script>\n<script>\n")
                .append(JS)
                .append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void matrix(StringBuilder h, RunReport r) {
        List<String> gpus = new ArrayList<>();
        Map<String, Map<String, Integer>> rows = new LinkedHashMap<>();
        List<StoredCell> cells = r.cells();
        for (int i = 0; i < cells.size(); i++) {
            StoredCell c = cells.get(i);
            if (!gpus.contains(c.gpuId())) {
                gpus.add(c.gpuId());
            }
            rows.computeIfAbsent(c.workloadId(), k -> new LinkedHashMap<>()).put(c.gpuId(), i);
        }
        h.append("<h2>Workloads × cards</h2>\n<div class=\"legend\"><span>share of the card's usable memory:</span>")
                .append("<span>0%</span><span class=\"ramp\"></span><span>100%</span>")
                .append(
                        "<span><span class=\"swatch\" style=\"background:#f6e9e9\"></span>infeasible, with the deciding rule</span>")
                .append("<span>each cell: batch, precision, input, share; click one for its memory</span></div>\n");
        if (r.truncated()) {
            h.append(String.format(
                    Locale.ROOT,
                    "<p class=\"note\">The first %,d of the run's %,d cells ('vramplan export --run %d' has"
                            + " them all).</p>%n",
                    cells.size(),
                    r.run().cells(),
                    r.run().id()));
        }
        h.append("<div class=\"scroll\"><table id=\"matrix\">\n<thead><tr><th>workload</th>");
        for (String g : gpus) {
            h.append("<th data-gpu=\"")
                    .append(esc(g))
                    .append("\">")
                    .append(esc(g))
                    .append("</th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        rows.forEach((w, byGpu) -> {
            StoredCell any = cells.get(byGpu.values().iterator().next());
            h.append("<tr data-workload=\"")
                    .append(esc(w))
                    .append("\"><th>")
                    .append(esc(w))
                    .append("<br><small>")
                    .append(esc(any.modelId()))
                    .append(", ")
                    .append(esc(any.mode()))
                    .append("</small></th>");
            for (String g : gpus) {
                Integer i = byGpu.get(g);
                if (i == null) {
                    h.append("<td class=\"empty\"></td>");
                } else {
                    cell(h, cells.get(i), i);
                }
            }
            h.append("</tr>\n");
        });
        h.append("</tbody></table></div>\n");
    }

    private static void cell(StringBuilder h, StoredCell c, int i) {
        h.append("<td class=\"cell ")
                .append(c.feasible() ? "ok" : "no")
                .append("\" data-i=\"")
                .append(i)
                .append("\" data-gpu=\"")
                .append(esc(c.gpuId()))
                .append("\" title=\"")
                .append(esc(c.reason()))
                .append('"');
        if (!c.feasible()) {
            h.append(">infeasible<br><small>").append(esc(c.rule())).append("</small></td>");
            return;
        }
        double u = c.utilization() == null ? 0 : Math.max(0, Math.min(1, c.utilization()));
        long light = Math.round(96 - 56 * u);
        h.append(" style=\"background:hsl(210,70%,")
                .append(light)
                .append("%)")
                .append(light < 62 ? ";color:#fff" : "")
                .append("\">")
                .append("<b>")
                .append(c.batch())
                .append("</b> ")
                .append(esc(c.precision()))
                .append("<br><small>")
                .append(esc(input(c)))
                .append(c.gradAccumSteps() != null && c.gradAccumSteps() > 1 ? " ×" + c.gradAccumSteps() : "")
                .append(", ")
                .append(Math.round(100 * u))
                .append("%</small></td>");
    }

    private static String input(StoredCell c) {
        return c.resolutionPx() != null
                ? c.resolutionPx() + " px"
                : c.seqLenTokens() != null ? c.seqLenTokens() + " tok" : "";
    }

    private static void changes(StringBuilder h, RunReport r) {
        if (r.previous() == null || r.changes() == null) {
            h.append("<h2>Changes</h2>\n<p class=\"note\" id=\"changes-none\">")
                    .append(esc(r.why()))
                    .append(".</p>\n");
            return;
        }
        h.append("<h2>Changes since run ").append(r.previous().id()).append("</h2>\n");
        if (r.changes().isEmpty()) {
            h.append("<p class=\"note\" id=\"changes-none\">No recommendation changed.</p>\n");
            return;
        }
        h.append(
                "<table id=\"changes\"><thead><tr><th>card</th><th>workload</th><th>before</th><th>after</th><th>because</th></tr></thead><tbody>\n");
        for (RunDiff.Change c : r.changes()) {
            h.append("<tr><td>")
                    .append(esc(c.gpu()))
                    .append("</td><td>")
                    .append(esc(c.workload()))
                    .append(" <small>(")
                    .append(esc(c.mode()))
                    .append(")</small></td><td>")
                    .append(esc(c.before()))
                    .append("</td><td>→ ")
                    .append(esc(c.after()))
                    .append("</td><td>")
                    .append(esc(String.join("; ", c.causes())))
                    .append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static void provenance(StringBuilder h, RunReport r) {
        StoredRun run = r.run();
        h.append("<h2>Provenance</h2>\n<table id=\"provenance\">\n");
        row(h, "run", String.valueOf(run.id()));
        row(h, "planned", run.startedAt().atZoneSameInstant(ZoneOffset.UTC).format(UTC));
        row(h, "by", (run.user() == null ? "?" : run.user()) + "@" + (run.host() == null ? "?" : run.host()));
        h.append("<tr><th>catalog</th><td>")
                .append(esc(run.catalogDir()))
                .append(" <code>")
                .append(esc(sha(run.catalogSha())))
                .append("</code></td></tr>\n<tr><th>rules</th><td>")
                .append(esc(run.rulesDir()))
                .append(" <code>")
                .append(esc(sha(run.rulesSha())))
                .append("</code></td></tr>\n");
        row(h, "planned with", "vramplan " + run.toolVersion());
        row(h, "report by", "vramplan " + r.generatedBy());
        h.append("</table>\n");
    }

    private static String sha(String sha) {
        return sha == null ? "(no fingerprint)" : sha;
    }

    private static void row(StringBuilder h, String name, String value) {
        h.append("<tr><th>")
                .append(esc(name))
                .append("</th><td>")
                .append(esc(value))
                .append("</td></tr>\n");
    }

    /** What the script needs of each cell, sizes already written as people read them. */
    private static List<Map<String, Object>> cellData(List<StoredCell> cells) {
        List<Map<String, Object>> out = new ArrayList<>(cells.size());
        for (StoredCell c : cells) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("gpu", c.gpuId());
            m.put("workload", c.workloadId());
            m.put("mode", c.mode());
            m.put("feasible", c.feasible());
            m.put("rule", c.rule());
            m.put("reason", c.reason());
            if (c.feasible()) {
                m.put("precision", c.precision());
                m.put("batch", c.batch());
                m.put("accum", c.gradAccumSteps() == null ? 1 : c.gradAccumSteps());
                m.put("input", input(c).replace(" tok", " tokens"));
                m.put("device", c.deviceBytes());
                m.put("device_human", Sizes.human(c.deviceBytes()));
                m.put("usable", c.usableBytes());
                m.put("usable_human", Sizes.human(c.usableBytes()));
                m.put("utilization", c.utilization());
                List<Object[]> parts = new ArrayList<>();
                c.breakdown().forEach((k, v) -> parts.add(new Object[] {k, v, Sizes.human(v)}));
                m.put("breakdown", parts);
                RunReport.Budget b = RunReport.budget(c);
                if (b != null) {
                    m.put("budget", b.bytes());
                    m.put("budget_human", Sizes.human(b.bytes()));
                    m.put("budget_rule", b.rule());
                }
            }
            out.add(m);
        }
        return out;
    }

    /** Text for HTML: the five characters that could end it escaped. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    /** JSON inside a script element: no "<" at all ("</script>" would end it early, "<!--" open a comment). */
    static String scriptSafe(String json) {
        return json.replace("<", "\\u003c");
    }
}
