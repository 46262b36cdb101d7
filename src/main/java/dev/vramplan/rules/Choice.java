package dev.vramplan.rules;

import org.kie.api.runtime.rule.RuleContext;

/** The rule-chosen candidate of a cell. */
public record Choice(String cell, long candidateId, String rule, String reason) {
    public Choice {
        reason = Texts.bounded("reason", reason);
    }

    public String getCell() {
        return cell;
    }

    public long getCandidateId() {
        return candidateId;
    }

    public String getRule() {
        return rule;
    }

    public String getReason() {
        return reason;
    }

    public static Choice of(RuleContext ctx, Candidate c, String reason) {
        return new Choice(c.cell(), c.id(), ctx.getRule().getName(), reason);
    }
}
