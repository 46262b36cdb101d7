package dev.vramplan.plan;

import dev.vramplan.catalog.Engine;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Offload;
import dev.vramplan.catalog.Workload;
import dev.vramplan.estimate.Parallelism;
import dev.vramplan.estimate.Strategy;
import dev.vramplan.estimate.TensorParallel;
import java.util.ArrayList;
import java.util.List;

/**
 * The ways a cell's job may spread over the fleet's cards of its type, as physics allows them; the rules refuse the
 * ones the team does not want ({@code LayoutOption}). Card counts are powers of two up to the fleet's count (ZeRO's
 * and NCCL's rings work with any count, but tensor parallelism needs a divisor of the heads, and servers come in
 * powers of two). Training: one card, then ddp, zero1, zero2 and zero3 on 2, 4, 8, … cards, tensor parallelism on
 * the same counts, and the two offloads DeepSpeed documents (zero2 with the optimizer on the CPU, ZeRO-Offload; zero3
 * with optimizer and parameters, ZeRO-Infinity), from one card up. Serving: one card, then tensor parallelism where
 * the heads divide. Layouts other than one card are searched at the workload's target input size only (CellPlanner):
 * stepping a vision job's resolution down is one card's fallback, not several cards'.
 */
final class Layouts {
    private Layouts() {}

    static List<Parallelism> of(int count, Workload w, Model m) {
        List<Parallelism> out = new ArrayList<>();
        out.add(Parallelism.single());
        boolean train = w.mode() == Mode.TRAIN;
        for (int n = 2; n <= count && n > 0; n *= 2) {
            if (train) {
                for (Strategy s : List.of(Strategy.DDP, Strategy.ZERO1, Strategy.ZERO2, Strategy.ZERO3)) {
                    out.add(new Parallelism(n, s, Offload.NONE));
                }
            }
            if (TensorParallel.unsplittable(m.architecture(), n) == null) {
                out.add(new Parallelism(n, Strategy.TP, Offload.NONE));
            }
        }
        if (train && w.engine() == Engine.HF) {
            for (int n = 1; n <= count && n > 0; n *= 2) {
                out.add(new Parallelism(n, Strategy.ZERO2, Offload.OPTIMIZER));
                out.add(new Parallelism(n, Strategy.ZERO3, Offload.OPTIMIZER_PARAMS));
            }
        }
        return out;
    }
}
