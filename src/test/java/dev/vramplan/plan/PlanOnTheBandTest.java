package dev.vramplan.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.rules.RuleBase;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rules/memory.drl's "Plan on the high end of the estimate": a recommended batch fits with the band's confidence.
 * The shipped fleet is planned with the shipped rules and bands; the property holds for every cell.
 */
class PlanOnTheBandTest {
    static final String RULE = "Plan on the high end of the estimate";

    @Test
    void aPlanOnTheBandNeverRecommendsABatchWhoseHighEndExceedsTheRulesBudget() {
        Catalog c = Shipped.catalog();
        PlanResult r = new Planner(Shipped.rules()).plan(c);
        int feasible = 0;
        for (CellPlan p : r.cells()) {
            if (!p.feasible()) {
                continue;
            }
            feasible++;
            assertThat(p.band()).as(p.gpuId() + "/" + p.workloadId()).isNotNull();
            assertThat(p.deviceBytesHigh())
                    .as(p.gpuId() + "/" + p.workloadId())
                    .isGreaterThanOrEqualTo(p.estimate().deviceBytes())
                    .isLessThanOrEqualTo(p.usableBytes());
        }
        assertThat(feasible).isGreaterThan(10);
        // the rule decided somewhere: some cell turned a larger batch down on its band alone
        assertThat(r.cells()).anySatisfy(p -> assertThat(p.trail())
                .anySatisfy(d -> assertThat(d.rule()).isEqualTo(RULE)));
    }

    /** The twin: on the point estimate (the rule deleted, as docs/policy.md says), some plan's band passes the card. */
    @Test
    void onThePointEstimateSomeRecommendedBatchPassesTheCardAtTheTopOfItsBand(@TempDir Path tmp) {
        Path rules = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        Shipped.edit(
                rules.resolve("memory.drl"),
                "Candidate( deviceBytesHigh > usableBytes )",
                "Candidate( deviceBytes > usableBytes )");
        PlanResult r = new Planner(RuleBase.load(rules)).plan(Shipped.catalog());
        assertThat(r.cells()).anySatisfy(p -> {
            assertThat(p.feasible()).isTrue();
            assertThat(p.deviceBytesHigh()).isGreaterThan(p.usableBytes());
        });
    }
}
