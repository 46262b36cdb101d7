package dev.vramplan.input;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.input.Yaml.MapNode;
import dev.vramplan.input.Yaml.ScalarNode;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Numbers as YAML writes them, read from real YAML text the way every reader gets them. */
class YamlNumbersTest {
    /** The scalar of {@code v: TEXT}, as the parser tags it. */
    static ScalarNode scalar(String text) {
        Problems problems = new Problems();
        MapNode map = (MapNode) Yaml.parse("v: " + text + "\n", "t.yaml", "test file", problems);
        assertThat(problems.isEmpty()).isTrue();
        return (ScalarNode) map.entries().get("v").value();
    }

    @ParameterizedTest
    @CsvSource({
        "1_000, 1000",
        "0x10, 16",
        "0o17, 15",
        "0b101, 5",
        "+5, 5",
        "-0x1, -1",
        "017, 15",
        "0x_1F, 31",
        "-1_0, -10",
        "0, 0",
        "-0, 0",
        "0b1_0, 2",
        "99_999_999_999_999_999_999, 99999999999999999999"
    })
    void wholeNumbersInEveryForm(String text, String value) {
        assertThat(YamlNumbers.whole(scalar(text))).isEqualTo(new BigInteger(value));
        assertThat(YamlNumbers.real(scalar(text))).isEqualTo(new BigInteger(value).doubleValue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1:30", "-1:30", "190:20:30"})
    void baseSixtyIsAWholeNumberWeDoNotRead(String text) {
        ScalarNode s = scalar(text);
        assertThat(YamlNumbers.whole(s)).isNull();
        assertThat(YamlNumbers.looksWhole(s)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"two", "\"0x10\"", "1.5", "true", "08", "0x", "1,000"})
    void textAndFractionsAreNoWholeNumbers(String text) {
        assertThat(YamlNumbers.whole(scalar(text))).isNull();
    }

    @ParameterizedTest
    @CsvSource({"1_000.5, 1000.5", "1e3, 1000", "1.5e3, 1500", ".5, 0.5", "+.5, 0.5", "1., 1", "09.5, 9.5", "0x10, 16"})
    void realNumbers(String text, double value) {
        assertThat(YamlNumbers.real(scalar(text))).isEqualTo(value);
    }

    @Test
    void infinityNanAndBaseSixtyFractions() {
        assertThat(YamlNumbers.real(scalar(".inf"))).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(YamlNumbers.real(scalar("-.Inf"))).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(YamlNumbers.real(scalar(".nan"))).isNaN();
        assertThat(YamlNumbers.real(scalar("1:30.5"))).isNull();
        assertThat(YamlNumbers.looksNumeric(scalar("1:30.5"))).isTrue();
        assertThat(YamlNumbers.looksNumeric(scalar("seven"))).isFalse();
    }

    @Test
    void plainValuesForLayerArguments() {
        assertThat(YamlNumbers.value(scalar("0x40"))).isEqualTo(64L);
        assertThat(YamlNumbers.value(scalar("1_000.5"))).isEqualTo(1000.5);
        assertThat(YamlNumbers.value(scalar("0x1_0000_0000_0000_0000"))).isEqualTo("0x1_0000_0000_0000_0000");
        assertThat(YamlNumbers.value(scalar("nearest"))).isEqualTo("nearest");
        assertThat(YamlNumbers.value(scalar("True"))).isEqualTo(true);
        assertThat(YamlNumbers.smallWhole(scalar("0x7FFF_FFFF"))).isEqualTo(Integer.MAX_VALUE);
        assertThat(YamlNumbers.smallWhole(scalar("0x8000_0000"))).isNull();
    }
}
