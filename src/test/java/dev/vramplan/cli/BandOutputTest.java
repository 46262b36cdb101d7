package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vramplan.Shipped;
import dev.vramplan.catalog.Bands;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** The band's keys in estimate and validate output are the contract, spelled exactly. */
class BandOutputTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static List<String> keys(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void estimateJsonCarriesTheHighEndsAndTheBand() throws Exception {
        CliTest.Result r = CliTest.run(
                "estimate",
                "--model",
                "llama-3-8b",
                "--gpu",
                "a100-sxm4-80gb",
                "--mode",
                "train",
                "--precision",
                "bf16",
                "--finetune",
                "lora",
                "--batch",
                "2",
                "--seq-len",
                "1024",
                "--format",
                "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());
        assertThat(keys(j))
                .contains(
                        "peak_allocated_bytes",
                        "reserved_bytes",
                        "device_bytes",
                        "peak_allocated_bytes_high",
                        "reserved_bytes_high",
                        "device_bytes_high",
                        "band");
        assertThat(keys(j.get("band"))).containsExactly("confidence", "group", "points");
        assertThat(j.get("band").get("confidence").asDouble()).isEqualTo(0.9);
        Bands.Group g = Shipped.catalog()
                .bands()
                .groups()
                .get(j.get("band").get("group").asText());
        assertThat(j.get("band").get("points").asInt()).isEqualTo(g.ids().size());
        for (String total : List.of("peak_allocated_bytes", "reserved_bytes", "device_bytes")) {
            long est = j.get(total).asLong();
            assertThat(j.get(total + "_high").asLong()).as(total).isEqualTo((long) Math.ceil(est * (1 + g.margin())));
        }
    }

    @Test
    void estimateTableShowsTheRange() {
        CliTest.Result r = CliTest.run(
                "estimate",
                "--model",
                "llama-3-8b",
                "--gpu",
                "a100-sxm4-80gb",
                "--mode",
                "train",
                "--precision",
                "bf16",
                "--finetune",
                "lora",
                "--batch",
                "2",
                "--seq-len",
                "1024");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .containsPattern(
                        "90% band \\(group [a-z0-9/-]+, \\d+ measured points\\): peak_allocated [0-9.]+ [GM]iB to"
                                + " [0-9.]+ [GM]iB, reserved [0-9.]+ [GM]iB to [0-9.]+ [GM]iB, device [0-9.]+ [GM]iB to [0-9.]+ [GM]iB");
    }

    @Test
    void validateJsonJudgesTheBandLeaveOneSourceOut() throws Exception {
        CliTest.Result r = CliTest.run(
                "validate", "--measurements", "src/test/resources/validation/measurements.yaml", "--format", "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());
        Bands shipped = Shipped.catalog().bands();
        assertThat(j.get("summary").get("band_coverage").asDouble())
                .isCloseTo(shipped.coverage(), Assertions.within(0.00005));
        assertThat(j.get("summary").get("median_band_width").asDouble())
                .isCloseTo(shipped.medianWidth(), Assertions.within(0.00005));
        for (JsonNode p : j.get("points")) {
            assertThat(p.get("band_high_bytes").asLong())
                    .as(p.get("id").asText())
                    .isGreaterThanOrEqualTo(p.get("estimate_bytes").asLong());
        }
    }
}
