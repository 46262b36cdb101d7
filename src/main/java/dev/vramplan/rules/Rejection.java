package dev.vramplan.rules;

import org.kie.api.runtime.rule.RuleContext;

/**
 * A rule refused a candidate, a precision option or a layout option. {@code candidateId} is the {@link Candidate}'s id,
 * -1 when a whole precision option was refused (then {@code cell} and {@code precision} name it), or {@link #LAYOUT}
 * when a layout was (then {@code precision} holds the layout's {@link LayoutOption#label()}).
 */
public record Rejection(String cell, long candidateId, String precision, String rule, String reason) {
    public Rejection {
        cell = Texts.bounded("cell", cell);
        reason = Texts.bounded("reason", reason);
    }

    public String getCell() {
        return cell;
    }

    public long getCandidateId() {
        return candidateId;
    }

    public String getPrecision() {
        return precision;
    }

    public String getRule() {
        return rule;
    }

    public String getReason() {
        return reason;
    }

    /** In a rule's {@code then}: {@code insert(Rejection.of(kcontext, $c, "why"))}. */
    public static Rejection of(RuleContext ctx, Candidate c, String reason) {
        return new Rejection(c.cell(), c.id(), c.precision(), ctx.getRule().getName(), reason);
    }

    /** The candidate id of a refused layout. */
    public static final long LAYOUT = -2;

    /** For a layout option: no candidate on these cards, this way, for this card type and job. */
    public static Rejection of(RuleContext ctx, LayoutOption o, String reason) {
        return new Rejection(o.cell(), LAYOUT, o.label(), ctx.getRule().getName(), reason);
    }

    /** For a precision option: the whole precision is refused for this card and job. */
    public static Rejection of(RuleContext ctx, PrecisionOption o, String reason) {
        return new Rejection(o.cell(), -1, o.precision(), ctx.getRule().getName(), reason);
    }
}
