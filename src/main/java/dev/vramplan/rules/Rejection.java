package dev.vramplan.rules;

import org.kie.api.runtime.rule.RuleContext;

/**
 * A rule refused a candidate or a precision option. {@code candidateId} is the {@link Candidate}'s id, or -1
 * when a whole precision option was refused: then {@code cell} and {@code precision} name it.
 */
public record Rejection(String cell, long candidateId, String precision, String rule, String reason) {
    public Rejection {
        cell = Texts.bounded("cell", cell);
        reason = Texts.bounded("reason", reason);
    }

    public String getCell() { return cell; }
    public long getCandidateId() { return candidateId; }
    public String getPrecision() { return precision; }
    public String getRule() { return rule; }
    public String getReason() { return reason; }

    /** In a rule's {@code then}: {@code insert(Rejection.of(kcontext, $c, "why"))}. */
    public static Rejection of(RuleContext ctx, Candidate c, String reason) {
        return new Rejection(c.cell(), c.id(), c.precision(), ctx.getRule().getName(), reason);
    }

    /** For a precision option: the whole precision is refused for this card and job. */
    public static Rejection of(RuleContext ctx, PrecisionOption o, String reason) {
        return new Rejection(o.cell(), -1, o.precision(), ctx.getRule().getName(), reason);
    }
}
