package dev.vramplan.plan;

import java.util.List;

/** A whole fleet's plan, with the work it took. */
public record PlanResult(List<CellPlan> cells, long candidates, long firings) {
    public PlanResult {
        cells = List.copyOf(cells);
    }

    public long feasible() {
        return cells.stream().filter(CellPlan::feasible).count();
    }
}
