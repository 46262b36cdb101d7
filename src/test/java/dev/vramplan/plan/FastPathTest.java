package dev.vramplan.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.rules.JavaPolicy;
import dev.vramplan.rules.RuleBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast path (lazy search, several threads, cells streamed to a sink) gives the same plans as the simple one
 * (every series searched, one thread, all cells kept). Speed itself is the benchmark's business, not a test's.
 */
class FastPathTest {
    static Catalog synthetic;

    @BeforeAll
    static void fleet() {
        // every shipped model, both modes, on every shipped card type plus clones: 24 x 60 x 2 = 2,880 cells
        synthetic = SyntheticFleet.of(Shipped.catalog(), 24, 60);
    }

    static String outcome(CellPlan p) {
        return p.gpuId() + "/" + p.workloadId() + ": "
                + (p.feasible()
                        ? p.precision() + " " + Objects.toString(p.resolutionPx(), "")
                                + Objects.toString(p.seqLenTokens(), "") + " batch " + p.batch() + " x"
                                + p.gradAccumSteps()
                        : "infeasible")
                + " by " + p.rule();
    }

    static List<String> outcomes(PlanResult r) {
        return r.cells().stream().map(FastPathTest::outcome).toList();
    }

    @Test
    void theLazySearchChoosesWhatTheExhaustiveSearchChoosesOnTheShippedFleet() {
        PlanResult lazy = new Planner(Shipped.rules()).plan(Shipped.catalog());
        PlanResult full = new Planner(Shipped.rules()).exhaustive(true).plan(Shipped.catalog());
        assertThat(outcomes(lazy)).isEqualTo(outcomes(full));
        assertThat(lazy.candidates()).isLessThan(full.candidates() / 3);
        List<CellPlan> again = new ArrayList<>();
        assertThat(new Planner(Shipped.rules())
                        .plan(Shipped.catalog(), again::add)
                        .exhaustiveBecause())
                .as("the shipped objective is one the lazy search serves")
                .isNull();
        // an infeasible cell names the same rule and the same closest candidate either way
        for (int i = 0; i < lazy.cells().size(); i++) {
            if (!full.cells().get(i).feasible()) {
                assertThat(lazy.cells().get(i).reason())
                        .isEqualTo(full.cells().get(i).reason());
            }
        }
    }

    @Test
    void theLazySearchChoosesWhatTheExhaustiveSearchChoosesOnASyntheticFleet() {
        // the plain-Java twin decides as the rules do (JavaPolicyTest), so it can afford the exhaustive search here
        PlanResult lazy = new Planner(JavaPolicy::new).plan(synthetic);
        PlanResult full = new Planner(JavaPolicy::new).exhaustive(true).plan(synthetic);
        assertThat(outcomes(lazy)).isEqualTo(outcomes(full));
        assertThat(lazy.cells().stream().filter(CellPlan::feasible).count()).isGreaterThan(1000);
        assertThat(lazy.cells().stream().filter(c -> !c.feasible()).count()).isGreaterThan(50);
    }

    @Test
    void severalThreadsGiveTheSameCellsInTheSameOrderAsOne() {
        PlanResult one = new Planner(JavaPolicy::new).threads(1).plan(synthetic);
        List<CellPlan> streamed = new ArrayList<>();
        Planner.Stats s = new Planner(JavaPolicy::new).threads(3).plan(synthetic, streamed::add);
        assertThat(streamed.stream().map(FastPathTest::outcome).toList()).isEqualTo(outcomes(one));
        assertThat(streamed)
                .extracting(CellPlan::trail)
                .isEqualTo(one.cells().stream().map(CellPlan::trail).toList());
        assertThat(s.cells()).isEqualTo(one.cells().size());
        assertThat(s.feasible()).isEqualTo(one.feasible());
        assertThat(s.candidates()).isEqualTo(one.candidates());
    }

    @Test
    void droolsOnSeveralThreadsMatchesTheJavaTwin() {
        Catalog small = SyntheticFleet.of(Shipped.catalog(), 6, 60);
        PlanResult drools = new Planner(Shipped.frozenRules()).threads(2).plan(small);
        PlanResult java = new Planner(JavaPolicy::new).plan(small);
        assertThat(outcomes(drools)).isEqualTo(outcomes(java));
    }

    @Test
    void aRuleThatFailsOnAWorkerThreadIsReportedOnTheCallersThread(@TempDir Path tmp) throws Exception {
        Path dir = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        Files.writeString(
                dir.resolve("bad.drl"),
                """
                package vramplan.policy;
                import dev.vramplan.rules.*;
                rule "Divide by the batch minus one"
                when
                    $c : Candidate( batch > 4 )
                then
                    int x = 1 / ($c.getBatch() - $c.getBatch());
                end
                """);
        // exhaustive: no sample is planned on this thread first, so the failure happens on a worker
        Planner p = new Planner(RuleBase.load(dir)).exhaustive(true).threads(2);
        Assertions.assertThatThrownBy(() -> p.plan(synthetic, c -> {}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("rule \"Divide by the batch minus one\" failed in its then: ArithmeticException");
    }
}
