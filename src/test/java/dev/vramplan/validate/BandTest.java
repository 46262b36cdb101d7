package dev.vramplan.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Band;
import dev.vramplan.catalog.Bands;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.estimate.BandedEstimate;
import dev.vramplan.estimate.EstimateRequest;
import dev.vramplan.estimate.Estimator;
import dev.vramplan.estimate.Setup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The band on every estimate (catalog/bands.yaml): the shipped file is what the shipped measurements build, and
 * the coverage and width it claims are what leave-one-source-out validation measures.
 */
class BandTest {
    static final Path PUBLIC = Path.of("src/test/resources/validation/measurements.yaml");

    /** The acceptance check: coverage leave-one-source-out, recomputed here, is what the shipped file claims. */
    @Test
    void theShippedBandsHoldWhatTheyClaimLeaveOneSourceOut() {
        Catalog c = Shipped.catalog();
        List<Measurement> ms = MeasurementLoader.load(PUBLIC, c);
        Validator.Report report = Validator.validate(ms, c, true);
        BandCheck.Result loso = BandCheck.check(report, c, true);
        assertThat(c.bands().coverage()).isNotNull();
        assertThat(loso.coverage()).isCloseTo(c.bands().coverage(), within(0.00005));
        assertThat(loso.medianWidth()).isCloseTo(c.bands().medianWidth(), within(0.00005));
        // every measured point was judged, and by a band its own source did not inform
        assertThat(loso.count()).isEqualTo(c.bands().points().size());
        for (BandCheck.Judged j : loso.byId().values()) {
            if (j.point().m().oom()) {
                continue;
            }
            Bands.Group g = c.bands().groups().get(j.band().group());
            long ownSource = g.ids().stream()
                    .filter(id -> c.bands()
                            .points()
                            .get(id)
                            .source()
                            .equals(j.point().m().source()))
                    .count();
            assertThat(j.band().points())
                    .as(j.point().m().id())
                    .isEqualTo(g.ids().size() - (int) ownSource);
            assertThat(j.covered()).isEqualTo(j.point().measuredBytes() <= j.highBytes());
        }
    }

    /** A stale file (the estimator changed, the bands were not rebuilt) fails here: rebuild with calibrate --bands. */
    @Test
    void theShippedBandsAreWhatTheShippedMeasurementsBuild() {
        Catalog c = Shipped.catalog();
        Bands built = BandBuilder.build(MeasurementLoader.load(PUBLIC, c), c, true, "measurements.yaml");
        assertThat(built.groups()).isEqualTo(c.bands().groups());
        assertThat(built.points()).isEqualTo(c.bands().points());
        assertThat(built).isEqualTo(c.bands());
    }

    /** What calibrate --bands writes loads back, strictly, to the same bands. */
    @Test
    void theWrittenFileLoadsBackToTheSameBands(@TempDir Path tmp) throws Exception {
        Catalog c = Shipped.catalog();
        Bands built = BandBuilder.build(MeasurementLoader.load(PUBLIC, c), c, true, "measurements.yaml");
        Path dir = Shipped.copy(Shipped.CATALOG, tmp.resolve("catalog"));
        Files.writeString(dir.resolve(CatalogLoader.BANDS), BandBuilder.yaml(built, "test"));
        assertThat(CatalogLoader.load(dir).bands()).isEqualTo(built);
    }

    /** Split-conformal: the ⌈0.9·(n+1)⌉-th smallest ratio, so 9 points are the fewest that give a 90% band. */
    @Test
    void theMarginIsTheConformalRankOfTheRatios() {
        assertThat(Bands.minPoints(0.9)).isEqualTo(9);
        assertThat(Bands.minPoints(0.8)).isEqualTo(4);
        // 10 ratios 0.96 .. 1.05: rank ⌈0.9·11⌉ = 10, the largest, 1.05
        List<Double> ten = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ten.add(0.96 + i * 0.01);
        }
        assertThat(Bands.margin(ten, 0.9)).isCloseTo(0.05, within(1e-12));
        // 19 ratios: rank ⌈0.9·20⌉ = 18, the second largest
        List<Double> nineteen = new ArrayList<>();
        for (int i = 1; i <= 19; i++) {
            nineteen.add(1 + i / 100.0);
        }
        assertThat(Bands.margin(nineteen, 0.9)).isCloseTo(0.18, within(1e-12));
        // every job measured below its estimate: the band is the estimate itself, never below it
        assertThat(Bands.margin(List.of(0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8), 0.9))
                .isZero();
        assertThat(Bands.margin(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0), 0.9))
                .isNull();
    }

    /** A profile (training without an optimizer, as AutoBatch runs it) has its own chain; a training run never meets it. */
    @Test
    void aProfileIsNotATrainingRun() {
        Catalog c = Shipped.catalog();
        EstimateRequest profile = request(c, Optimizer.NONE);
        EstimateRequest training = request(c, Optimizer.SGD);
        assertThat(BandedEstimate.chain(profile)).containsExactly("ultralytics/profile", "vision/profile", "all");
        assertThat(BandedEstimate.chain(training))
                .containsExactly("ultralytics/train/full", "vision/train/full", "vision/train", "all");
        // the shipped AutoBatch readings make the profile band; a YOLO training job takes the band of every point
        assertThat(BandedEstimate.of(Estimator.estimate(profile), profile, c.bands())
                        .band()
                        .group())
                .isEqualTo("vision/profile");
        assertThat(BandedEstimate.of(Estimator.estimate(training), training, c.bands())
                        .band()
                        .group())
                .isEqualTo("all");
    }

    private static EstimateRequest request(Catalog c, Optimizer optimizer) {
        return new EstimateRequest(
                c.model("yolov8s"),
                c.gpu("t4"),
                Mode.TRAIN,
                Precision.AMP_FP16,
                16,
                640,
                null,
                optimizer,
                Setup.defaults());
    }

    /**
     * Leaving a source out can leave its finest group too small, or of one source: the job then takes the parent group,
     * without that source either. Group "a/train/full" has 9 points of source X and 3 of Y; "all" adds 9 of Z.
     */
    @Test
    void leavingASourceOutFallsBackToTheParentGroupWithoutThatSource() {
        Map<String, Bands.Point> points = new LinkedHashMap<>();
        List<String> fine = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            points.put("x" + i, new Bands.Point("x" + i, "X", 1.10));
            fine.add("x" + i);
        }
        for (int i = 0; i < 3; i++) {
            points.put("y" + i, new Bands.Point("y" + i, "Y", 1.50));
            fine.add("y" + i);
        }
        for (int i = 0; i < 9; i++) {
            points.put("z" + i, new Bands.Point("z" + i, "Z", 1.20));
        }
        all.addAll(points.keySet());
        Map<String, Bands.Group> groups = new LinkedHashMap<>();
        // 12 points: rank ⌈0.9·13⌉ = 12, the largest (1.50)
        groups.put("a/train/full", new Bands.Group("a/train/full", 0.5, fine));
        // 21 points: rank ⌈0.9·22⌉ = 20, the second largest (1.50)
        groups.put("all", new Bands.Group("all", 0.5, all));
        Bands bands = new Bands(0.9, "test", null, null, groups, points);
        List<String> chain = List.of("a/train/full", "a/train", "all");
        assertThat(bands.band(chain, null)).isEqualTo(new Band(0.9, "a/train/full", 12, 0.5));
        // without Y: 9 points of X remain, but of one source; "all" without Y holds 9 of X and 9 of Z: rank 18 of 18,
        // 1.20
        assertThat(bands.band(chain, "Y").group()).isEqualTo("all");
        assertThat(bands.band(chain, "Y").margin()).isCloseTo(0.20, within(1e-12));
        assertThat(bands.band(chain, "Y").points()).isEqualTo(18);
        // without X: 3 points of Y are too few; "all" without X holds 3 of Y and 9 of Z: rank 12 of 12, 1.50
        assertThat(bands.band(chain, "X")).isEqualTo(new Band(0.9, "all", 12, 0.5));
        // a job of no known group and too few points anywhere: no band, the estimate itself
        assertThat(new Bands(0.9, "test", null, null, Map.of(), Map.of()).band(chain, null))
                .isEqualTo(Band.none(0.9));
        assertThat(Band.none(0.9).high(1000)).isEqualTo(1000);
        assertThat(new Band(0.9, "g", 9, 0.25).high(1001)).isEqualTo(1252); // 1251.25, rounded up
    }

    /**
     * A group of two sources cannot be checked leave-one-source-out (leaving one leaves one): its band widens the one
     * the rest of the chain gives and never narrows it. A group of three sources stands on its own.
     */
    @Test
    void aGroupOfTwoSourcesWidensItsParentsBandAndNeverNarrowsIt() {
        Map<String, Bands.Point> points = new LinkedHashMap<>();
        List<String> narrow = new ArrayList<>();
        List<String> wide = new ArrayList<>();
        List<String> three = new ArrayList<>();
        for (String source : List.of("X", "Y", "Z")) {
            for (int i = 0; i < 5; i++) {
                String id = source + i;
                // X and Y within 1%; Z 20% above its estimates
                points.put(id, new Bands.Point(id, source, source.equals("Z") ? 1.20 : 1.01));
                if (!source.equals("Z")) {
                    narrow.add(id);
                }
                if (!source.equals("X")) {
                    wide.add(id);
                }
                three.add(id);
            }
        }
        Map<String, Bands.Group> groups = new LinkedHashMap<>();
        groups.put("t/inference", new Bands.Group("t/inference", 0.01, narrow)); // 10 points of X and Y
        groups.put("t/train/adapters", new Bands.Group("t/train/adapters", 0.20, wide)); // Y and Z
        groups.put("t/train", new Bands.Group("t/train", 0.01, narrow)); // X and Y again, as a third group
        groups.put("all", new Bands.Group("all", 0.20, three)); // 15 points of X, Y, Z: rank 15 of 15, 1.20
        Bands bands = new Bands(0.9, "test", null, null, groups, points);
        assertThat(bands.groups().get("t/inference").sources()).isEqualTo(2);
        assertThat(bands.groups().get("all").sources()).isEqualTo(3);

        // two sources, narrower than the parent: the parent's band
        assertThat(bands.band(List.of("t/inference", "all"), null)).isEqualTo(new Band(0.9, "all", 15, 0.20));
        // two sources, wider than the rest of the chain (whose own two-source group gives way to "all" too): its own
        assertThat(bands.band(List.of("t/train/adapters", "t/train", "all"), null))
                .isEqualTo(new Band(0.9, "t/train/adapters", 10, 0.20));
        // three sources: its own band, however narrow (W is a third source within 1%)
        Map<String, Bands.Point> more = new LinkedHashMap<>(points);
        List<String> threeNarrow = new ArrayList<>(narrow);
        List<String> everything = new ArrayList<>(three);
        for (int i = 0; i < 5; i++) {
            more.put("W" + i, new Bands.Point("W" + i, "W", 1.01));
            threeNarrow.add("W" + i);
            everything.add("W" + i);
        }
        Map<String, Bands.Group> checked = new LinkedHashMap<>();
        checked.put("t/inference", new Bands.Group("t/inference", 0.01, threeNarrow));
        checked.put("all", new Bands.Group("all", 0.20, everything)); // 20 points: rank 19 of 20, 1.20
        assertThat(new Bands(0.9, "test", null, null, checked, more).band(List.of("t/inference", "all"), null))
                .isEqualTo(new Band(0.9, "t/inference", 15, 0.01));
        // left out, a source's groups are judged the same way: without Z, "all" holds X and Y only (two sources, 10
        // points at 1.01) and is no wider than "t/inference", which keeps its band
        assertThat(bands.band(List.of("t/inference", "all"), "Z").group()).isEqualTo("t/inference");
        assertThat(bands.band(List.of("t/inference", "all"), "Z").margin()).isCloseTo(0.01, within(1e-12));
    }
}
