package dev.vramplan.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import dev.vramplan.rules.JavaPolicy;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The plain-Java twin of the shipped policy decides exactly as the Drools rules do, cell for cell. */
class JavaPolicyTest {
    @Test
    void itImplementsEveryShippedRuleAndNoOther() {
        Set<String> drl = Shipped.frozenRules().kieBase().getKiePackages().stream()
                .flatMap(p -> p.getRules().stream())
                .map(r -> r.getName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(new TreeSet<>(JavaPolicy.RULES)).isEqualTo(drl);
    }

    @Test
    void theShippedFleetIsPlannedTheSameWayCellForCell() {
        PlanResult drools = new Planner(Shipped.frozenRules()).plan(Shipped.catalog());
        PlanResult java = new Planner(JavaPolicy::new).plan(Shipped.catalog());
        assertThat(java.cells()).hasSameSizeAs(drools.cells());
        for (int i = 0; i < drools.cells().size(); i++) {
            CellPlan d = drools.cells().get(i);
            CellPlan j = java.cells().get(i);
            String cell = d.gpuId() + "/" + d.workloadId();
            assertThat(j.feasible()).as(cell).isEqualTo(d.feasible());
            assertThat(j.precision()).as(cell).isEqualTo(d.precision());
            assertThat(j.resolutionPx()).as(cell).isEqualTo(d.resolutionPx());
            assertThat(j.seqLenTokens()).as(cell).isEqualTo(d.seqLenTokens());
            assertThat(j.batch()).as(cell).isEqualTo(d.batch());
            assertThat(j.gradAccumSteps()).as(cell).isEqualTo(d.gradAccumSteps());
            assertThat(j.rule()).as(cell).isEqualTo(d.rule());
            assertThat(j.trail().stream().map(Decision::rule).collect(Collectors.toSet()))
                    .as(cell)
                    .isEqualTo(d.trail().stream().map(Decision::rule).collect(Collectors.toSet()));
        }
        assertThat(java.candidates()).isEqualTo(drools.candidates());
    }
}
