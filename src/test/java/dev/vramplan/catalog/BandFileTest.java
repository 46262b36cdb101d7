package dev.vramplan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** catalog/bands.yaml is read as strictly as the other catalog files: every problem at file:line:column. */
class BandFileTest {
    @TempDir
    Path tmp;

    /** Nine points of two sources, ratios 0.95 .. 1.03: the 90% margin is the ninth, 1.03 - 1 = 0.03. */
    static final String GOOD =
            """
            bands:
              confidence: 0.9
              built_from: "runs.yaml"
              coverage: 0.9
              median_width: 0.03
              groups:
                - group: all
                  margin: 0.0300
                  points: [p1, p2, p3, p4, p5, p6, p7, p8, p9]
              sources:
                - source: "our cluster"
                  ratios:
                    p1: 0.95
                    p2: 0.96
                    p3: 0.97
                    p4: 0.98
                    p5: 0.99
                    p6: 1.00
                    p7: 1.01
                    p8: 1.02
                - source: "their cluster"
                  ratios:
                    p9: 1.03
            """;

    private List<String> problems(String text) throws IOException {
        Path dir = Shipped.copy(CatalogLoaderTest.MINIMAL, tmp.resolve("c"));
        Files.writeString(dir.resolve(CatalogLoader.BANDS), text);
        return CatalogLoader.check(dir).stream()
                .map(p -> p.format().replace(dir.toString() + "/", ""))
                .toList();
    }

    @Test
    void aGoodFileLoads() throws IOException {
        assertThat(problems(GOOD)).isEmpty();
        Path dir = tmp.resolve("c");
        Bands b = CatalogLoader.load(dir).bands();
        assertThat(b.groups().get("all").margin()).isEqualTo(0.03);
        assertThat(b.points().get("p9")).isEqualTo(new Bands.Point("p9", "their cluster", 1.03));
        assertThat(b.coverage()).isEqualTo(0.9);
    }

    @Test
    void withoutTheFileEstimatesCarryNoBand() {
        assertThat(CatalogLoader.load(CatalogLoaderTest.MINIMAL).bands()).isEqualTo(Bands.NONE);
    }

    @Test
    void anUnknownFieldIsNamedWithDidYouMean() throws IOException {
        assertThat(problems(GOOD.replace("  median_width:", "  median_widht:")))
                .containsExactly("bands.yaml:5:3: bands.median_widht: unknown field. Did you mean \"median_width\"?");
    }

    @Test
    void aGroupNamesOnlyMeasuredPoints() throws IOException {
        assertThat(problems(GOOD.replace("p8, p9]", "p8, p99]")))
                .containsExactly("bands.yaml:9:15: bands.groups[0].points: unknown measurement id \"p99\": no source in"
                        + " bands.sources lists it. Did you mean \"p9\"?");
    }

    @Test
    void aMarginMustFollowFromItsPoints() throws IOException {
        assertThat(problems(GOOD.replace("margin: 0.0300", "margin: 0.0100")))
                .containsExactly(
                        "bands.yaml:8:15: bands.groups[0].margin: 0.0100 does not follow from the group's 9 points,"
                                + " which give 0.0300. Maybe rebuild the file with: vramplan calibrate --bands --measurements FILE");
    }

    @Test
    void aGroupTooSmallForItsConfidenceIsRefused() throws IOException {
        assertThat(problems(GOOD.replace(
                        "points: [p1, p2, p3, p4, p5, p6, p7, p8, p9]", "points: [p1, p2, p3, p4, p5, p6, p7, p8]")))
                .containsExactly(
                        "bands.yaml:9:15: bands.groups[0].points: a group needs at least 9 points for a 90% band,"
                                + " \"all\" has 8. Maybe merge it into its parent group");
    }

    @Test
    void aGroupOfOneSourceIsRefused() throws IOException {
        assertThat(problems(GOOD.replace(
                        """
                - source: "their cluster"
                  ratios:
            """, "")))
                .containsExactly(
                        "bands.yaml:9:15: bands.groups[0].points: a group needs points from at least 2 sources,"
                                + " \"all\" has one (its points share one setup and its errors). Maybe merge it into its parent group");
    }

    @Test
    void aRatioMustBeANumber() throws IOException {
        assertThat(problems(GOOD.replace("p5: 0.99", "p5: ninety")))
                .containsExactly("bands.yaml:17:13: bands.sources[0].ratios.p5: expected a number, found \"ninety\"");
    }

    @Test
    void theConfidenceIsBelowOne() throws IOException {
        assertThat(problems(GOOD.replace("confidence: 0.9", "confidence: 1.5")))
                .containsExactly(
                        "bands.yaml:2:15: bands.confidence: 1.5 is out of range: it must be between 0.5 and 0.99");
    }
}
