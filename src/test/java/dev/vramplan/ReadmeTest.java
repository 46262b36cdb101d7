package dev.vramplan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.catalog.Workload;
import dev.vramplan.cli.Main;
import dev.vramplan.plan.CellPlan;
import dev.vramplan.plan.Decision;
import dev.vramplan.plan.PlanResult;
import dev.vramplan.plan.Planner;
import dev.vramplan.rules.Linter;
import dev.vramplan.rules.RuleBase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the README shows a user to do must work: the fact table, the worked example, the other objective. */
class ReadmeTest {
    static String readme() throws Exception {
        return Files.readString(Path.of("README.md"));
    }

    /** The policy guide the README links to. */
    static String policy() throws Exception {
        return Files.readString(Path.of("docs/policy.md"));
    }

    static List<String> blocks(String text, String lang) {
        List<String> out = new ArrayList<>();
        Matcher m =
                Pattern.compile("```" + lang + "\\n(.*?)```", Pattern.DOTALL).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static int run(StringWriter out, String... args) {
        return Main.run(args, new PrintWriter(out), new PrintWriter(new StringWriter()));
    }

    @Test
    void theFactTableIsTheOneTheCodeGenerates() throws Exception {
        assertThat(policy()).contains(Linter.factTable());
    }

    @Test
    void theWorkedExampleRuleAndItsTestPass(@TempDir Path tmp) throws Exception {
        String section = policy().substring(policy().indexOf("**A worked example.**"));
        String rule = blocks(section, "drl").get(0);
        String test = blocks(section, "yaml").get(0);
        Path rules = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        Shipped.copy(Shipped.RULES.resolve("tests"), rules.resolve("tests"));
        Files.writeString(
                rules.resolve("eligibility.drl"), Files.readString(rules.resolve("eligibility.drl")) + "\n" + rule);
        Files.writeString(
                rules.resolve("tests/eligibility.yaml"),
                Files.readString(rules.resolve("tests/eligibility.yaml")) + test);
        StringWriter out = new StringWriter();
        assertThat(run(out, "rules", "check", "--rules", rules.toString())).isZero();
        out = new StringWriter();
        int code = run(out, "rules", "test", "--rules", rules.toString());
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("PASS  ")
                .contains("no LLM fine-tuning on a 16 GB card")
                .contains(" 0 failed");
    }

    @Test
    void theOtherObjectiveCompilesAndPlans(@TempDir Path tmp) throws Exception {
        String section = policy().substring(policy().indexOf("**Another objective.**"));
        String rule = blocks(section, "drl").get(0);
        Path rules = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        String choice = Files.readString(rules.resolve("choice.drl"));
        int start = choice.indexOf("rule \"Prefer the fewest cards");
        int end = choice.indexOf("end", start) + 3;
        Files.writeString(rules.resolve("choice.drl"), choice.substring(0, start) + rule + choice.substring(end));
        // a global batch that leaves room above the batch that fits at the target resolution (a training batch never
        // exceeds the global batch, so with 64 both objectives choose batch 64 at 640 px)
        Path catalog = Shipped.copy(Path.of("src/test/resources/catalogs/minimal"), tmp.resolve("catalog"));
        Shipped.edit(catalog.resolve("fleet.yaml"), "global_batch: 64", "global_batch: 512");
        StringWriter out = new StringWriter();
        int code = run(
                out,
                "plan",
                "--catalog",
                catalog.toString(),
                "--rules",
                rules.toString(),
                "--db",
                tmp.resolve("db").toString());
        assertThat(code).isZero();
        assertThat(out.toString())
                .contains("Maximise images per step")
                .contains("search: the objective does not rank precision and input before batch");
        // the planner noticed and searched every series: the same plans as the exhaustive search
        RuleBase rb = RuleBase.load(rules);
        Catalog minimal = CatalogLoader.load(catalog);
        List<CellPlan> cells = new ArrayList<>();
        Planner.Stats stats = new Planner(rb).plan(minimal, cells::add);
        assertThat(stats.exhaustiveBecause()).isNotNull();
        PlanResult full = new Planner(rb).exhaustive(true).plan(minimal);
        assertThat(cells)
                .extracting(c -> c.precision() + " " + c.resolutionPx() + " " + c.batch())
                .isEqualTo(full.cells().stream()
                        .map(c -> c.precision() + " " + c.resolutionPx() + " " + c.batch())
                        .toList());
    }

    @Test
    void theBatchLadderExampleFillsAnH200Further(@TempDir Path tmp) throws Exception {
        String section = policy().substring(policy().indexOf("**The batch ladder.**"));
        String rule = blocks(section, "drl").get(0);
        Path rules = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        String batch = Files.readString(rules.resolve("batch.drl"));
        int start = batch.indexOf("rule \"Batch sizes are powers of two\"");
        int end = batch.indexOf("end", start) + 3;
        Files.writeString(rules.resolve("batch.drl"), batch.substring(0, start) + rule + batch.substring(end));
        Catalog shipped = Shipped.catalog();
        // the fleet's yolo11m training with a global batch of 256, so that the card and the ladder limit the batch
        Workload w = shipped.workloads().stream()
                .filter(x -> x.id().equals("yolo11m-train"))
                .findFirst()
                .orElseThrow();
        w = new Workload(
                w.id(),
                w.modelId(),
                w.mode(),
                w.resolutionPx(),
                w.seqLenTokens(),
                w.optimizer(),
                256,
                w.team(),
                w.priority(),
                w.production(),
                w.precisions(),
                w.finetune(),
                w.trainableParams(),
                w.loraRank(),
                w.gradientCheckpointing(),
                w.flashAttention(),
                w.ema(),
                w.quantization());
        Catalog h200 =
                new Catalog(shipped.gpus(), shipped.models(), Map.of("h200", 1), List.of(w), shipped.calibrations());
        CellPlan before = new Planner(Shipped.rules()).plan(h200).cells().get(0);
        CellPlan after = new Planner(RuleBase.load(rules)).plan(h200).cells().get(0);
        // what the README says of the shipped ladder: batch 128 at 48%, 256 needing 134 GiB (133.66)
        assertThat(before.batch()).isEqualTo(128);
        assertThat(before.trail())
                .anyMatch(d -> Objects.equals(d.batch(), 256)
                        && d.reason().startsWith("needs 133.66 GiB, more than 90% of 139.80 GiB"));
        assertThat(Math.round(100.0 * before.estimate().deviceBytes() / before.usableBytes()))
                .isEqualTo(48);
        assertThat(after.feasible()).isTrue();
        assertThat(after.precision()).isEqualTo(before.precision());
        assertThat(after.resolutionPx()).isEqualTo(640);
        assertThat(after.batch()).isGreaterThan(128).isLessThan(256).isEqualTo(240);
        assertThat(Math.round(100.0 * after.estimate().deviceBytes() / after.usableBytes()))
                .isEqualTo(90);
        assertThat(after.batch() % 8).isZero();
        assertThat(after.estimate().deviceBytes())
                .isGreaterThan(before.estimate().deviceBytes())
                .isLessThanOrEqualTo((long) (after.usableBytes() * 0.90));
        assertThat(after.trail())
                .anyMatch(d -> d.rule().equals("Batch sizes are powers of two up to 64, then multiples of 8")
                        && d.reason().equals("batch sizes are powers of two up to 64, then multiples of 8"));
        // the next batch of the ladder is the one the headroom refused
        assertThat(after.trail())
                .anyMatch(d -> d.kind() == Decision.Kind.REJECT
                        && d.rule().equals("Keep 10% of memory free")
                        && Objects.equals(d.batch(), after.batch() + 8));
    }

    /** Two commands, what you see, and links: the reference lives in docs/, so the README stays short. */
    @Test
    void theReadmeStaysShortAndItsLinksLeadSomewhere() throws Exception {
        assertThat(readme().lines().count()).as("README.md lines").isLessThanOrEqualTo(300);
        Matcher m =
                Pattern.compile("\\]\\(((?:docs/)?[\\w./-]+?)(?:#[\\w-]+)?\\)").matcher(readme());
        int links = 0;
        while (m.find()) {
            if (!m.group(1).startsWith("http")) {
                assertThat(Path.of(m.group(1)))
                        .as("README links to " + m.group(1))
                        .exists();
                links++;
            }
        }
        assertThat(links).isGreaterThan(5);
    }
}
