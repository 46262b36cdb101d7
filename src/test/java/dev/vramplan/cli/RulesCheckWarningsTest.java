package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import dev.vramplan.input.Shown;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `rules check` warns where a rule compares a text field with a value nothing in the catalog has; the exit code stays 0. */
class RulesCheckWarningsTest {
    @TempDir
    Path tmp;

    @Test
    void theShippedRulesHaveNoWarningsOnTheShippedCatalog() {
        CliTest.Result r = CliTest.run("rules", "check", "--rules", "rules", "--catalog", "catalog");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .isEqualTo("rules: ok (" + Shipped.ruleCount() + " rules in " + Shipped.ruleFileCount() + " files)\n");
    }

    @Test
    void aTeamNoWorkloadHasIsAWarningWithDidYouMean() throws Exception {
        Path rules = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        Shipped.edit(
                rules.resolve("eligibility.drl"),
                "$j : Job( team == \"vision\", training, detector )",
                "$j : Job( team == \"LLM\", training, detector )");
        CliTest.Result r = CliTest.run("rules", "check", "--rules", rules.toString());
        assertThat(r.code()).isZero();
        assertThat(r.err())
                .isEqualTo(
                        Shown.path(rules.resolve("eligibility.drl")) + ":21:15: warning: team == \"LLM\": no workload"
                                + " of the catalog or of the policy tests has team \"LLM\" (the rule can never fire on this catalog). Did you mean \"llm\"?\n");
        assertThat(r.out())
                .isEqualTo(Shown.path(rules) + ": ok (" + Shipped.ruleCount() + " rules in " + Shipped.ruleFileCount()
                        + " files, 1 warning)\n");
    }

    @Test
    void cardsModelsAndNotEqualsAreCheckedToo() throws Exception {
        Path rules = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        Files.writeString(
                rules.resolve("x.drl"),
                """
                package vramplan.policy;
                import dev.vramplan.rules.*;

                rule "Hopper cards serve only"
                when
                    $o : PrecisionOption()
                    Card( id == $o.gpu, architecture == "hoper" )
                    Job( id == $o.job, training, family != "lama", model != "yolov8ss" )
                then
                    insert(Rejection.of(kcontext, $o, "hopper cards serve"));
                end
                """);
        CliTest.Result r = CliTest.run("rules", "check", "--rules", rules.toString(), "--catalog", "catalog");
        assertThat(r.code()).isZero();
        String x = Shown.path(rules.resolve("x.drl"));
        assertThat(r.err())
                .isEqualTo(x + ":7:25: warning: architecture == \"hoper\": no card of the catalog has architecture"
                        + " \"hoper\" (the rule can never fire on this catalog). Did you mean \"hopper\"?\n"
                        + x
                        + ":8:34: warning: family != \"lama\": no model of the catalog has family \"lama\" (the condition is always"
                        + " true on this catalog). Did you mean \"llama\"?\n"
                        + x
                        + ":8:52: warning: model != \"yolov8ss\": no model of the catalog has id \"yolov8ss\" (the condition is always"
                        + " true on this catalog). Did you mean \"yolov8s\"?\n");
        assertThat(r.out())
                .endsWith(": ok (" + (Shipped.ruleCount() + 1) + " rules in " + (Shipped.ruleFileCount() + 1)
                        + " files, 3 warnings)\n");
    }

    @Test
    void aTeamOnlyThePolicyTestsUseIsNoWarning() throws Exception {
        Path rules = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        Shipped.copy(Shipped.RULES.resolve("tests"), rules.resolve("tests"));
        Shipped.edit(
                rules.resolve("eligibility.drl"),
                "$j : Job( team == \"vision\", training, detector )",
                "$j : Job( team == \"research\", training, detector )");
        CliTest.Result r = CliTest.run("rules", "check", "--rules", rules.toString());
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
    }
}
