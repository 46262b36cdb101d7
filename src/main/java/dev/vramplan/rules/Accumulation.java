package dev.vramplan.rules;

import org.kie.api.runtime.rule.RuleContext;

/** Micro-batches per optimizer step that a rule decided keep a workload's global batch. */
public record Accumulation(String cell, int steps, String rule, String reason) {
    public Accumulation {
        reason = Texts.bounded("reason", reason);
    }

    public String getCell() { return cell; }
    public int getSteps() { return steps; }
    public String getRule() { return rule; }
    public String getReason() { return reason; }

    /** ceil(global / batch) steps of the chosen candidate's batch. */
    public static Accumulation keep(RuleContext ctx, Candidate c, int globalBatch) {
        int steps = (globalBatch + c.batch() - 1) / c.batch();
        return new Accumulation(c.cell(), steps, ctx.getRule().getName(), steps + " micro-batches of " + c.batch()
                + " per optimizer step keep the global batch of " + globalBatch);
    }
}
