package dev.vramplan.rules;

import org.kie.api.runtime.rule.RuleContext;

/** Micro-batches per optimizer step that a rule decided keep a workload's global batch. */
public record Accumulation(String cell, int steps, String rule, String reason) {
    public Accumulation {
        reason = Texts.bounded("reason", reason);
    }

    public String getCell() {
        return cell;
    }

    public int getSteps() {
        return steps;
    }

    public String getRule() {
        return rule;
    }

    public String getReason() {
        return reason;
    }

    /** ceil(global / (batch × data-parallel GPUs)) steps of the chosen candidate's batch. */
    public static Accumulation keep(RuleContext ctx, Candidate c, int globalBatch) {
        return keep(ctx.getRule().getName(), c, globalBatch);
    }

    public static Accumulation keep(String rule, Candidate c, int globalBatch) {
        int perStep = c.getSamplesPerStep();
        int steps = (globalBatch + perStep - 1) / perStep;
        return new Accumulation(
                c.cell(),
                steps,
                rule,
                steps + " micro-batches of " + c.batch() + (c.gpus() > 1 ? " on each of " + c.gpus() + " GPUs" : "")
                        + " per optimizer step keep the global batch of " + globalBatch);
    }
}
