package dev.vramplan.plan;

/**
 * One step of a cell's decision trail, named after the rule that made it.
 *
 * @param kind what the rule did: set a policy value, rejected a precision or candidate, chose, or found nothing feasible
 */
public record Decision(Kind kind, String precision, Integer resolutionPx, Integer seqLenTokens, Integer batch,
                       Long deviceBytes, String rule, String reason) {
    /** OUTRANKED: a candidate no rule rejected, which the objective ranked below the choice. */
    public enum Kind { SETTING, REJECT, OUTRANKED, CHOOSE, INFEASIBLE }
}
