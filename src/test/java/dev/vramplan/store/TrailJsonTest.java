package dev.vramplan.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vramplan.estimate.Component;
import dev.vramplan.plan.Decision;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The trail and breakdown columns are JSON any parser reads, and come back as they were written. */
class TrailJsonTest {
    /** Texts a team's rules may well write: quotes, backslashes, line breaks, control and non-ASCII characters. */
    static final String AWKWARD = "a \"quoted\" C:\\path\nnext\tline \u0001 \u00e9 × ≤ 80 GiB";

    @Test
    void aTrailWithAwkwardTextsComesBackAsItWasAndIsValidJson() throws Exception {
        List<Decision> trail = List.of(
                new Decision(Decision.Kind.SETTING, null, null, null, null, null, "Rule \"one\"", AWKWARD),
                new Decision(Decision.Kind.REJECT, "amp-bf16", 640, null, 32, 12_345_678_901L, "Fit", AWKWARD),
                new Decision(
                        Decision.Kind.CHOOSE,
                        "bf16",
                        null,
                        2048,
                        1,
                        42L,
                        "Prefer",
                        "fits",
                        "8 × zero3 + offload optimizer"),
                new Decision(Decision.Kind.INFEASIBLE, null, null, null, null, null, AWKWARD, "none fits"));
        TrailJson.Texts texts = new TrailJson.Texts();
        String json = TrailJson.write(trail, texts);

        // any JSON parser reads it: an array of arrays of 8 or 9 entries; rule names and reasons are numbers of
        // the run's texts, each text numbered once
        List<?> parsed = new ObjectMapper().readValue(json, List.class);
        assertThat(parsed).hasSize(4);
        List<String> numbered = new ArrayList<>(texts.fresh());
        assertThat((List<?>) parsed.get(1)).hasSize(8).element(7).isEqualTo(numbered.indexOf(AWKWARD));
        assertThat((List<?>) parsed.get(2)).hasSize(9).element(8).isEqualTo("8 × zero3 + offload optimizer");
        assertThat(numbered).containsExactly("Rule \"one\"", AWKWARD, "Fit", "Prefer", "fits", "none fits");

        // and it reads back into the same decisions, numbered texts resolved
        assertThat(TrailJson.read(json, numbered::get)).isEqualTo(trail);
    }

    @Test
    void aTrailStoredBeforeEveryReasonWasNumberedStillReads() {
        // until this version a candidate's reason was written out, and only rule names and candidate-free reasons
        // were numbers
        String old = "[[\"reject\",\"fp32\",320,null,16,9530086516,0,\"needs 8.88 GiB, the card has 5.94 GiB\"],"
                + "[\"setting\",null,null,null,null,null,1,2]]";
        List<String> numbered = List.of("A job must fit in the card's memory", "Batch sizes are powers of two", "b");
        assertThat(TrailJson.read(old, numbered::get))
                .containsExactly(
                        new Decision(
                                Decision.Kind.REJECT,
                                "fp32",
                                320,
                                null,
                                16,
                                9_530_086_516L,
                                "A job must fit in the card's memory",
                                "needs 8.88 GiB, the card has 5.94 GiB"),
                        new Decision(
                                Decision.Kind.SETTING,
                                null,
                                null,
                                null,
                                null,
                                null,
                                "Batch sizes are powers of two",
                                "b"));
    }

    @Test
    void aStringIsEscapedAsJsonWhereItMustBeAndCopiedWhereItNeedNot() throws Exception {
        for (String v : List.of(AWKWARD, "plain text, 80 GiB ≤ × é", "", "\\", "\"")) {
            String json = TrailJson.string(new StringBuilder(), v).toString();
            assertThat(new ObjectMapper().readValue(json, String.class)).isEqualTo(v);
        }
        assertThat(TrailJson.string(new StringBuilder(), "needs 8.88 GiB").toString())
                .isEqualTo("\"needs 8.88 GiB\"");
    }

    @Test
    void anEmptyTrailIsAnEmptyArray() {
        assertThat(TrailJson.write(List.of(), new TrailJson.Texts())).isEqualTo("[]");
        assertThat(TrailJson.read("[]", i -> null)).isEmpty();
    }

    @Test
    void aBreakdownComesBackInComponentOrder() throws Exception {
        Map<Component, Long> breakdown = new EnumMap<>(Component.class);
        breakdown.put(Component.WEIGHTS, 1L << 40);
        breakdown.put(Component.ACTIVATIONS, 0L);
        String json = TrailJson.breakdown(breakdown);
        assertThat(new ObjectMapper().readValue(json, Map.class)).hasSize(2);
        assertThat(TrailJson.readBreakdown(json))
                .containsExactly(
                        Map.entry(Component.WEIGHTS.id(), 1L << 40), Map.entry(Component.ACTIVATIONS.id(), 0L));
    }
}
