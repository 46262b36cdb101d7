package dev.vramplan.estimate;

import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Offload;
import java.util.Objects;

/**
 * How many cards of one type a job runs on, and how: the estimate is then per GPU.
 *
 * @param gpus     cards of the same type, 1 or more
 * @param strategy {@link Strategy#SINGLE} on one card; ddp, zero1–3 (training) or tp (serving) on several; a ZeRO
 *                 stage on one card too: it shards nothing there, but DeepSpeed still keeps its own layout (16-bit
 *                 weights, the fp32 master in the optimizer, its buckets), as single-GPU DeepSpeed scripts run it
 * @param offload  what a ZeRO job keeps in CPU memory
 */
public record Parallelism(int gpus, Strategy strategy, Offload offload) {
    /** More GPUs than any job plans on (the largest published ZeRO runs used a few thousand). */
    public static final int MAX_GPUS = 65_536;

    public Parallelism {
        Objects.requireNonNull(strategy);
        Objects.requireNonNull(offload);
        if (gpus < 1 || gpus > MAX_GPUS) {
            throw new IllegalArgumentException("gpus " + gpus + " must be between 1 and " + MAX_GPUS);
        }
        if (strategy == Strategy.SINGLE && gpus != 1) {
            throw new IllegalArgumentException("--gpus " + gpus + " needs a strategy: ddp, zero1, zero2, zero3 or tp");
        }
        if ((strategy == Strategy.DDP || strategy == Strategy.TP) && gpus == 1) {
            throw new IllegalArgumentException(
                    strategy.id() + " needs 2 GPUs or more (one card: leave out --strategy)");
        }
        if (offload != Offload.NONE && strategy.zeroStage() == 0) {
            throw new IllegalArgumentException(
                    "offload " + offload.id() + " needs a ZeRO strategy (zero1, zero2 or zero3), not " + strategy.id());
        }
        if (offload == Offload.OPTIMIZER_PARAMS && strategy != Strategy.ZERO3) {
            throw new IllegalArgumentException(
                    "offload optimizer+params needs zero3 (DeepSpeed offloads parameters only in stage 3)");
        }
    }

    /** One card. */
    public static Parallelism single() {
        return SINGLE;
    }

    private static final Parallelism SINGLE = new Parallelism(1, Strategy.SINGLE, Offload.NONE);

    /** A strategy that does not fit the mode or the model: an error naming it. */
    void check(Mode mode, Model model) {
        if (mode == Mode.INFERENCE && strategy != Strategy.SINGLE && strategy != Strategy.TP) {
            throw new IllegalArgumentException(
                    strategy.id() + " shards training; serve across cards with --strategy tp");
        }
        if (strategy == Strategy.TP) {
            String why = TensorParallel.unsplittable(model.architecture(), gpus);
            if (why != null) {
                throw new IllegalArgumentException(model.id() + ": " + why);
            }
        }
    }

    public boolean multi() {
        return gpus > 1;
    }
}
