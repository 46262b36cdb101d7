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

        // any JSON parser reads it: an array of arrays of 8 or 9 entries
        List<?> parsed = new ObjectMapper().readValue(json, List.class);
        assertThat(parsed).hasSize(4);
        assertThat((List<?>) parsed.get(1)).hasSize(8).element(7).isEqualTo(AWKWARD);
        assertThat((List<?>) parsed.get(2)).hasSize(9).element(8).isEqualTo("8 × zero3 + offload optimizer");

        // and it reads back into the same decisions, numbered texts resolved
        List<String> numbered = new ArrayList<>(texts.fresh());
        assertThat(TrailJson.read(json, numbered::get)).isEqualTo(trail);
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
