package dev.vramplan.rules;

import org.kie.api.runtime.rule.RuleContext;

/**
 * A policy parameter a rule sets for a cell before candidates exist: how batches step ({@code batch_step}: 0 = powers
 * of two, n = multiples of n; with {@code powersOfTwoUpTo} b above 0, powers of two up to b and multiples of n above
 * it) and the smallest batch ({@code min_batch}).
 */
public record Setting(String cell, String name, int value, int powersOfTwoUpTo, String rule, String reason) {
    public static final String BATCH_STEP = "batch_step";
    public static final String MIN_BATCH = "min_batch";

    public Setting {
        cell = Texts.bounded("cell", cell);
        reason = Texts.bounded("reason", reason);
    }

    /** A setting without a powers-of-two part. */
    public Setting(String cell, String name, int value, String rule, String reason) {
        this(cell, name, value, 0, rule, reason);
    }

    public String getCell() {
        return cell;
    }

    public String getName() {
        return name;
    }

    public int getValue() {
        return value;
    }

    public int getPowersOfTwoUpTo() {
        return powersOfTwoUpTo;
    }

    public String getRule() {
        return rule;
    }

    public String getReason() {
        return reason;
    }

    /** Batches are powers of two. */
    public static Setting powersOfTwo(RuleContext ctx, String cell) {
        return new Setting(cell, BATCH_STEP, 0, ctx.getRule().getName(), "batch sizes are powers of two");
    }

    /** Batches are multiples of n. */
    public static Setting multiplesOf(RuleContext ctx, String cell, int n) {
        return new Setting(cell, BATCH_STEP, n, ctx.getRule().getName(), "batch sizes are multiples of " + n);
    }

    /**
     * Batches are powers of two up to {@code upTo}, then multiples of n above it: with 64 and 8, 1, 2, 4, …, 64, 72,
     * 80, … Small cards keep the powers of two; a large card is no longer left half empty because the next power of
     * two does not fit.
     */
    public static Setting powersOfTwoThenMultiplesOf(RuleContext ctx, String cell, int upTo, int n) {
        if (upTo < 1 || n < 1) {
            throw new IllegalArgumentException(
                    "powersOfTwoThenMultiplesOf needs a bound and a step of at least 1, not " + upTo + " and " + n);
        }
        return new Setting(
                cell,
                BATCH_STEP,
                n,
                upTo,
                ctx.getRule().getName(),
                "batch sizes are powers of two up to " + upTo + ", then multiples of " + n);
    }

    /** The smallest batch to consider. */
    public static Setting minBatch(RuleContext ctx, String cell, int n, String why) {
        return new Setting(cell, MIN_BATCH, n, ctx.getRule().getName(), why);
    }
}
