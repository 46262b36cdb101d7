package dev.vramplan.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.TransformerSpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #15 item 10: every estimate returned is exact (its totals are the sums of its parts) and within 1 PiB; what
 * no card could hold is refused, never saturated. A sweep over the shipped catalog's models × modes × precisions ×
 * setups × input sizes × batches up to the largest accepted.
 */
class EstimateBoundTest {
    static final long BOUND = Limits.MAX_ESTIMATE_BYTES;
    static final int[] BATCHES = {1, 3, 64, 4096, 65536, Limits.MAX_BATCH};
    static final int[] RESOLUTIONS = {Limits.MIN_RESOLUTION, 224, 640, 2048, 8192, Limits.MAX_RESOLUTION};
    static final int[] SEQ_LENS = {1, 128, 4096, 65536, Limits.MAX_SEQ_LEN};

    /** The checks every returned estimate passes: exact sums, nothing negative, within the bound. */
    static void assertExact(Estimate e, String what) {
        long tensors = 0;
        long all = 0;
        for (Component c : Component.values()) {
            long v = e.breakdown().get(c);
            assertThat(v).as("%s: %s", what, c).isNotNegative().isLessThanOrEqualTo(BOUND);
            all = Math.addExact(all, v);
            if (c != Component.ALLOCATOR_CACHE && c != Component.RUNTIME) {
                tensors = Math.addExact(tensors, v);
            }
        }
        assertThat(e.peakAllocatedBytes()).as(what).isEqualTo(tensors);
        assertThat(e.reservedBytes()).as(what).isEqualTo(tensors + e.breakdown().get(Component.ALLOCATOR_CACHE));
        assertThat(e.deviceBytes()).as(what).isEqualTo(all).isLessThanOrEqualTo(BOUND);
    }

    record Config(
            Model model, Mode mode, Precision precision, Optimizer optimizer, Setup setup, Integer res, Integer seq) {
        EstimateRequest at(Gpu g, int batch) {
            return new EstimateRequest(model, g, mode, precision, batch, res, seq, optimizer, setup);
        }

        @Override
        public String toString() {
            return model.id() + " " + mode.id() + " " + precision.id() + " " + optimizer.id() + " "
                    + setup.finetune().id()
                    + (setup.flashAttention() ? "" : " eager") + (setup.gradientCheckpointing() ? " checkpointed" : "")
                    + (res != null ? " " + res + " px" : " " + seq + " tokens");
        }
    }

    static List<Config> configs() {
        List<Config> out = new ArrayList<>();
        Optimizer[] optimizers = {Optimizer.ADAMW, Optimizer.SGD, Optimizer.ADAFACTOR, Optimizer.ADAMW_8BIT};
        int i = 0;
        for (Model m : Shipped.catalog().models().values()) {
            boolean transformer = m.architecture() instanceof TransformerSpec;
            for (Mode mode : Mode.values()) {
                for (Precision p : Precision.values()) {
                    List<Finetune> fts =
                            mode == Mode.TRAIN && transformer ? List.of(Finetune.values()) : List.of(Finetune.FULL);
                    for (Finetune ft : fts) {
                        for (boolean flash : transformer ? List.of(true, false) : List.of(true)) {
                            i++;
                            Optimizer o = mode == Mode.INFERENCE ? Optimizer.NONE : optimizers[i % optimizers.length];
                            // adapters: by rank (default or given) or by count, up to the largest accepted
                            Long trainable = ft != Finetune.FULL && i % 3 == 0
                                    ? (i % 2 == 0 ? Limits.MAX_PARAMS : 40_000_000L)
                                    : null;
                            Integer rank =
                                    ft != Finetune.FULL && i % 3 == 1 ? (i % 2 == 0 ? Limits.MAX_LORA_RANK : 16) : null;
                            Setup s = new Setup(ft, trainable, rank, i % 5 == 0, flash, m.vision() && i % 2 == 0, null);
                            for (int size : m.vision() ? RESOLUTIONS : SEQ_LENS) {
                                out.add(new Config(
                                        m, mode, p, o, s, m.vision() ? size : null, m.vision() ? null : size));
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyEstimateReturnedAddsUpAndAbsurdOnesAreRefused() {
        Gpu g = Shipped.catalog().gpu("h100-sxm-80gb");
        int returned = 0;
        int refused = 0;
        Map<Component, Integer> refusedBy = new EnumMap<>(Component.class);
        List<Config> configs = configs();
        assertThat(configs).hasSizeGreaterThan(5000);
        for (Config c : configs) {
            boolean refusedBefore = false;
            for (int b : BATCHES) {
                String what = c + " batch " + b;
                EstimateRequest r = c.at(g, b);
                try {
                    Estimate e = Estimator.estimate(r);
                    assertThat(refusedBefore)
                            .as("%s: returned although a smaller batch was refused", what)
                            .isFalse();
                    assertExact(e, what);
                    returned++;
                } catch (EstimateTooLargeException x) {
                    refused++;
                    refusedBefore = true;
                    refusedBy.merge(x.component(), 1, Integer::sum);
                    // refused only when something is really beyond 1 PiB, and the reason says what
                    assertThat(Math.max(x.componentBytes(), x.totalBytes()))
                            .as(what)
                            .isGreaterThan((double) BOUND);
                    assertThat(x.totalBytes()).as(what).isGreaterThanOrEqualTo(x.componentBytes());
                    assertThat(x.inputs()).as(what).isNotEmpty();
                    assertThat(x.reason()).as(what).startsWith("the estimate exceeds 1 PiB (no GPU holds that much): ");
                }
            }
            // the largest batch that fits a card never needs an estimate beyond the bound
            int fit = Estimator.maxBatch(c.at(g, 1), g.usableBytes(), Limits.MAX_BATCH);
            if (fit > 0) {
                assertExact(Estimator.estimate(c.at(g, fit)), c + " at its largest batch " + fit);
            }
        }
        assertThat(returned).isGreaterThan(20_000);
        assertThat(refused).isGreaterThan(1_000);
        assertThat(refusedBy).containsKeys(Component.ACTIVATIONS, Component.KV_CACHE);
    }

    /** The issue's cases: a ViT at batch 1,048,576 and 16,384 px, a 70B model at the longest context. */
    @Test
    void theIssuesCasesAreRefusedWithWhatIsTooLarge() {
        Gpu g = Shipped.catalog().gpu("h100-sxm-80gb");
        Model vit = Shipped.catalog().model("vit-b16");
        EstimateRequest big = new EstimateRequest(
                vit,
                g,
                Mode.TRAIN,
                Precision.BF16,
                Limits.MAX_BATCH,
                Limits.MAX_RESOLUTION,
                null,
                Optimizer.ADAMW,
                true);
        assertThatThrownBy(() -> Estimator.estimate(big)).isInstanceOfSatisfying(EstimateTooLargeException.class, x -> {
            assertThat(x.component()).isEqualTo(Component.ACTIVATIONS);
            assertThat(x.inputs())
                    .containsExactly(EstimateTooLargeException.Input.BATCH, EstimateTooLargeException.Input.SIZE);
            assertThat(x.reason())
                    .isEqualTo(
                            "the estimate exceeds 1 PiB (no GPU holds that much): the activations alone would take 309.56 PiB");
        });
        // one such image is a large but honest estimate: 343 GiB, exact
        Estimate one = Estimator.estimate(big.withBatch(1));
        assertExact(one, "vit-b16 at 16384 px, batch 1");
        assertThat(one.fits()).isFalse();
        // eager attention at 2M tokens: one sample is already beyond, so the batch is not named
        EstimateRequest eager = new EstimateRequest(
                Shipped.catalog().model("llama-2-70b"),
                g,
                Mode.TRAIN,
                Precision.FP32,
                Limits.MAX_BATCH,
                null,
                Limits.MAX_SEQ_LEN,
                Optimizer.ADAMW,
                false);
        assertThatThrownBy(() -> Estimator.estimate(eager))
                .isInstanceOfSatisfying(EstimateTooLargeException.class, x -> assertThat(x.inputs())
                        .containsExactly(EstimateTooLargeException.Input.SIZE));
        assertThat(Estimator.maxBatch(eager, g.usableBytes(), Limits.MAX_BATCH)).isZero();
    }

    @Test
    void anEstimateWhoseTotalsAreNotTheSumOfItsPartsCannotBeMade() {
        Map<Component, Long> parts = new EnumMap<>(Component.class);
        for (Component c : Component.values()) {
            parts.put(c, 1L << 40);
        }
        // every component but the allocator's cache and the runtime is a live tensor (communication buffers too)
        long tensors = (Component.values().length - 2L) << 40;
        assertThat(new Estimate(parts, tensors, tensors + (1L << 40), tensors + (2L << 40), 1L << 36, 1, "forward", 1)
                        .deviceBytes())
                .isEqualTo((long) Component.values().length << 40);
        // the old saturated form: every total stuck at the cap, below the sum of the parts
        assertThatThrownBy(() -> new Estimate(parts, 1L << 42, 1L << 42, 1L << 42, 1L << 36, 1, "forward", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("are not the sums of the breakdown");
        parts.put(Component.ACTIVATIONS, 1L << 50);
        assertThatThrownBy(() -> new Estimate(
                        parts,
                        (1L << 50) + (7L << 40),
                        (1L << 50) + (8L << 40),
                        (1L << 50) + (9L << 40),
                        1L << 36,
                        1,
                        "forward",
                        1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("within 1 PiB");
    }
}
