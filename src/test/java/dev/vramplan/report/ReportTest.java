package dev.vramplan.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vramplan.cli.Main;
import dev.vramplan.input.Shown;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vramplan report} on a real store of two runs (a small catalog, then the shipped one), read as a file and
 * rendered by a real browser: the page is whole, fetches nothing, and shows the matrix, a breakdown and the changes.
 */
class ReportTest {
    @TempDir
    static Path tmp;

    static String db;
    static Path page;
    static String html;
    static String printed;

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void report() throws Exception {
        db = tmp.resolve("plans").toString();
        assertThat(cli("plan", "--catalog", "src/test/resources/catalogs/minimal", "--rules", "rules", "--db", db)
                        .code())
                .isZero();
        assertThat(cli("plan", "--catalog", "catalog", "--rules", "rules", "--db", db)
                        .code())
                .isZero();
        page = tmp.resolve("report.html");
        Result r = cli("report", "--out", page.toString(), "--db", db);
        assertThat(r.code()).as(r.err()).isZero();
        printed = r.out();
        html = Files.readString(page);
    }

    @Test
    void saysWhatItWrote() {
        assertThat(printed).isEqualTo("report of run 2 (91 cells) written to " + Shown.path(page) + "\n");
    }

    /** Nothing a browser would fetch: no src, no href, no url(), no @import; the only URL is the SVG namespace. */
    @Test
    void isSelfContained() {
        assertThat(html).doesNotContain(" src=", " href=", "url(", "@import", "https://");
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://");
    }

    @Test
    void anUnknownRunIsInvalidInputWithExit2() {
        Result r = cli("report", "--run", "7", "--out", tmp.resolve("x.html").toString(), "--db", db);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("--run: there is no run 7 in the database\n");
        assertThat(tmp.resolve("x.html")).doesNotExist();
    }

    static String chromium() {
        String c = Chromium.find();
        Assumptions.assumeTrue(
                c != null, "SKIPPED: no chromium on this machine (.ci/run installs it: apt-get install chromium)");
        return c;
    }

    /** The DOM after the browser ran the page's script: every workload and card of the run, each cell as query says. */
    @Test
    void theBrowserShowsTheMatrixAndABreakdown() throws Exception {
        String dom = Chromium.run(chromium(), page, tmp, "--dump-dom");
        JsonNode matrix = new ObjectMapper()
                .readTree(
                        cli("query", "--matrix", "--format", "json", "--db", db).out());
        assertThat(matrix.size()).isEqualTo(13);
        Set<String> gpus = new HashSet<>();
        int feasible = 0;
        int infeasible = 0;
        for (JsonNode row : matrix) {
            String w = row.get("workload").asText();
            Matcher tr = Pattern.compile("<tr data-workload=\"" + Pattern.quote(w) + "\">(.*?)</tr>", Pattern.DOTALL)
                    .matcher(dom);
            assertThat(tr.find()).as(w).isTrue();
            String cells = tr.group(1);
            for (Iterator<Map.Entry<String, JsonNode>> it = row.get("gpus").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                gpus.add(e.getKey());
                JsonNode c = e.getValue();
                Matcher td = Pattern.compile("<td class=\"cell (ok|no)[^\"]*\" data-i=\"\\d+\" data-gpu=\""
                                + Pattern.quote(e.getKey()) + "\"[^>]*>(.*?)</td>")
                        .matcher(cells);
                assertThat(td.find()).as(w + " on " + e.getKey()).isTrue();
                if (c.get("feasible").asBoolean()) {
                    feasible++;
                    assertThat(td.group(1)).isEqualTo("ok");
                    assertThat(td.group(2))
                            .as(w + " on " + e.getKey())
                            .startsWith("<b>" + c.get("batch").asInt() + "</b> "
                                    + c.get("precision").asText() + "<br>");
                } else {
                    infeasible++;
                    assertThat(td.group(1)).isEqualTo("no");
                    // the browser writes text back escaping only &, < and >
                    assertThat(td.group(2))
                            .isEqualTo("infeasible<br><small>"
                                    + c.get("rule")
                                            .asText()
                                            .replace("&", "&amp;")
                                            .replace("<", "&lt;")
                                            .replace(">", "&gt;")
                                    + "</small>");
                }
            }
        }
        // every cell of the shipped fleet (13 workloads x 7 cards), both kinds among them
        assertThat(feasible + infeasible).isEqualTo(91);
        assertThat(feasible).isPositive();
        assertThat(infeasible).isPositive();
        for (String g : gpus) {
            assertThat(dom).contains("<th data-gpu=\"" + g + "\">" + g + "</th>");
        }
        // the script chose the first feasible cell and drew its memory: one bar part per non-zero component
        assertThat(dom)
                .contains("<span id=\"bd-title\">yolov8s-train on t4 (train)</span>", "class=\"cell ok selected\"");
        JsonNode q = new ObjectMapper()
                .readTree(cli(
                                "query",
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
                        .out())
                .get(0);
        int parts = 0;
        for (JsonNode v : q.get("breakdown")) {
            parts += v.asLong() > 0 ? 1 : 0;
        }
        assertThat(count(dom, "class=\"part\"")).isEqualTo(parts).isGreaterThan(3);
        assertThat(dom).contains(">usable 14.75 GiB</text>", ">budget 13.28 GiB (\"Keep 10% of memory free\")</text>");
        assertThat(dom).contains("<h2>Changes since run 1</h2>", "the card or workload was added to the fleet");
        assertThat(dom)
                .contains("<th>catalog</th><td>catalog <code>"
                        + run(2).get("catalog_sha").asText() + "</code>");
    }

    static JsonNode run(long id) throws Exception {
        for (JsonNode r : new ObjectMapper()
                .readTree(cli("runs", "--format", "json", "--db", db).out())) {
            if (r.get("run").asLong() == id) {
                return r;
            }
        }
        throw new AssertionError("no run " + id);
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** A screenshot that is not blank: most of it not white, and many colours (the matrix's shades and the bar). */
    @Test
    void aScreenshotIsNotBlank() throws Exception {
        Path shot = tmp.resolve("shot.png");
        Chromium.run(chromium(), page, tmp, "--screenshot=" + shot, "--window-size=1400,1700", "--hide-scrollbars");
        BufferedImage img = ImageIO.read(shot.toFile());
        assertThat(img.getWidth()).isEqualTo(1400);
        Set<Integer> colours = new HashSet<>();
        long notWhite = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff) {
                    notWhite++;
                }
            }
        }
        long sampled = (long) (img.getHeight() / 2) * (img.getWidth() / 2);
        assertThat(colours.size()).as("colours").isGreaterThan(50);
        assertThat((double) notWhite / sampled).as("share not white").isGreaterThan(0.15);
        List<Integer> blues = new ArrayList<>();
        colours.stream()
                .filter(c -> (c & 0xff) > 150 && ((c >> 16) & 0xff) < 120)
                .forEach(blues::add);
        assertThat(blues).as("the matrix's blue shades").isNotEmpty();
    }
}
