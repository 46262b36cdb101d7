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

    /**
     * A decision about no candidate: a setting, a refused precision or layout, or why nothing is feasible.
     *
     * @param precision the refused precision, else null
     * @param layout    the refused layout, else null
     */
    public static Decision general(Kind kind, String precision, String rule, String reason, String layout) {
        return new Decision(kind, precision, null, null, null, null, rule, reason, layout);
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
