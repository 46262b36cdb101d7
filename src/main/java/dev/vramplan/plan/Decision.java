package dev.vramplan.plan;

/**
 * One step of a cell's decision trail, named after the rule that made it.
 *
 * @param kind   what the rule did: set a policy value, rejected a precision, a layout or a candidate, chose, or found
 *               nothing feasible
 * @param layout the cards and strategy of the candidate or refused layout ("8 × zero3"); null on one card
 */
public record Decision(
        Kind kind,
        String precision,
        Integer resolutionPx,
        Integer seqLenTokens,
        Integer batch,
        Long deviceBytes,
        String rule,
        String reason,
        String layout) {
    /** A decision on one card, or about no layout. */
    public Decision(
            Kind kind,
            String precision,
            Integer resolutionPx,
            Integer seqLenTokens,
            Integer batch,
            Long deviceBytes,
            String rule,
            String reason) {
        this(kind, precision, resolutionPx, seqLenTokens, batch, deviceBytes, rule, reason, null);
    }

    /** OUTRANKED: a candidate no rule rejected, which the objective ranked below the choice. */
    public enum Kind {
        SETTING,
        REJECT,
        OUTRANKED,
        CHOOSE,
        INFEASIBLE
    }
}
