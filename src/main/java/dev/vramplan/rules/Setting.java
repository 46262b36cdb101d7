package dev.vramplan.rules;

import org.kie.api.runtime.rule.RuleContext;

/**
 * A policy parameter a rule sets for a cell before candidates exist: how batches step
 * ({@code batch_step}: 0 = powers of two, n = multiples of n) and the smallest batch ({@code min_batch}).
 */
public record Setting(String cell, String name, int value, String rule, String reason) {
    public static final String BATCH_STEP = "batch_step";
    public static final String MIN_BATCH = "min_batch";

    public Setting {
        cell = Texts.bounded("cell", cell);
        reason = Texts.bounded("reason", reason);
    }

    public String getCell() { return cell; }
    public String getName() { return name; }
    public int getValue() { return value; }
    public String getRule() { return rule; }
    public String getReason() { return reason; }

    /** Batches are powers of two. */
    public static Setting powersOfTwo(RuleContext ctx, String cell) {
        return new Setting(cell, BATCH_STEP, 0, ctx.getRule().getName(), "batch sizes are powers of two");
    }

    /** Batches are multiples of n. */
    public static Setting multiplesOf(RuleContext ctx, String cell, int n) {
        return new Setting(cell, BATCH_STEP, n, ctx.getRule().getName(), "batch sizes are multiples of " + n);
    }

    /** The smallest batch to consider. */
    public static Setting minBatch(RuleContext ctx, String cell, int n, String why) {
        return new Setting(cell, MIN_BATCH, n, ctx.getRule().getName(), why);
    }
}
