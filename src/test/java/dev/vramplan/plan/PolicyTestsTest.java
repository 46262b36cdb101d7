package dev.vramplan.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** The policy tests shipped in rules/tests run in the Java suite too, one test each; and a failing one fails. */
class PolicyTestsTest {
    @TestFactory
    Stream<DynamicTest> shippedPolicyTests() {
        List<PolicyTests.Case> cases = PolicyTests.load(Shipped.RULES.resolve("tests"), Shipped.catalog());
        assertThat(cases).hasSizeGreaterThanOrEqualTo(15);
        return PolicyTests.run(cases, Shipped.rules(), Shipped.catalog()).stream()
                .map(o -> DynamicTest.dynamicTest(
                        o.test().file() + ": " + o.test().name(),
                        () -> assertThat(o.failures()).isEmpty()));
    }

    @Test
    void aWrongExpectationFailsWithWhatWasExpectedAndWhatCame(@TempDir Path tmp) throws Exception {
        Files.writeString(
                tmp.resolve("t.yaml"),
                """
                tests:
                  - name: wrong on purpose
                    gpu: t4
                    workload: {model: resnet50, mode: train, resolution: 224, optimizer: sgd, global_batch: 256}
                    expect:
                      precision: amp-bf16
                      rejected_by: [No consumer cards for production]
                """);
        List<PolicyTests.Outcome> o =
                PolicyTests.run(PolicyTests.load(tmp, Shipped.catalog()), Shipped.rules(), Shipped.catalog());
        assertThat(o).hasSize(1);
        assertThat(o.get(0).passed()).isFalse();
        assertThat(o.get(0).failures()).hasSize(2);
        assertThat(o.get(0).failures().get(0)).isEqualTo("expected precision amp-bf16, got amp-fp16");
        assertThat(o.get(0).failures().get(1))
                .startsWith("expected a rejection by \"No consumer cards for production\"");
    }

    @Test
    void aTypoInATestIsAnInputError(@TempDir Path tmp) throws Exception {
        Files.writeString(
                tmp.resolve("t.yaml"),
                """
                tests:
                  - name: typo
                    gpu: t4
                    workload: {model: resnet50, mode: train, resolution: 224}
                    expect:
                      precison: amp-fp16
                """);
        Assertions.assertThatThrownBy(() -> PolicyTests.load(tmp, Shipped.catalog()))
                .hasMessageContaining(
                        "t.yaml:6:7: tests[0].expect.precison: unknown field. Did you mean \"precision\"?");
    }

    @Test
    void aTestThatNamesNoRuleOfThePolicyFailsWithDidYouMean(@TempDir Path tmp) throws Exception {
        Files.writeString(
                tmp.resolve("t.yaml"),
                """
                tests:
                  - name: names rules with typos
                    gpu: t4
                    workload: {model: yolov8s, mode: train, resolution: 640, optimizer: sgd, global_batch: 64, ema: true}
                    expect:
                      rule: Prefer the fewest card
                      rejected_by: [Keep 10% memory free]
                      not_rejected_by: [Serving keeps 20 % of memory free, No rule like this one at all]
                """);
        List<PolicyTests.Outcome> o =
                PolicyTests.run(PolicyTests.load(tmp, Shipped.catalog()), Shipped.rules(), Shipped.catalog());
        assertThat(o.get(0).passed()).isFalse();
        // without the names checked, this test passed: every expectation but the names held
        assertThat(o.get(0).failures())
                .containsExactly(
                        "rule names no rule of the policy: \"Prefer the fewest card\". Did you mean \"Prefer the fewest cards\"?",
                        "rejected_by names no rule of the policy: \"Keep 10% memory free\". Did you mean \"Keep 10% of memory free\"?",
                        "not_rejected_by names no rule of the policy: \"Serving keeps 20 % of memory free\"."
                                + " Did you mean \"Serving keeps 20% of memory free\"?",
                        "not_rejected_by names no rule of the policy: \"No rule like this one at all\".");
    }

    @Test
    void theNamesThePlannerGivesWhereNoRuleDecidedAreNamesToo(@TempDir Path tmp) throws Exception {
        Files.writeString(
                tmp.resolve("t.yaml"),
                """
                tests:
                  - name: no choice was made
                    gpu: t4
                    workload: {model: yolov8s, mode: train, resolution: 640, optimizer: sgd, global_batch: 64}
                    expect:
                      not_rejected_by: ["(no choice)", "(no rule)"]
                """);
        List<PolicyTests.Outcome> o =
                PolicyTests.run(PolicyTests.load(tmp, Shipped.catalog()), Shipped.rules(), Shipped.catalog());
        assertThat(o.get(0).failures()).isEmpty();
    }
}
