package dev.vramplan.validate;

import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Offload;
import dev.vramplan.catalog.Precision;
import dev.vramplan.estimate.Parallelism;
import dev.vramplan.estimate.Strategy;

/**
 * How the run of one measurement was set up, as its source states it (measurement format 2, "How the run was set
 * up"). Null means "not stated": the estimator then assumes the plain single-GPU setup of the method; the
 * estimate of a run on several GPUs, or under ZeRO, is one GPU's ({@link #parallelism()}).
 *
 * @param framework    the training or serving code whose loop was measured
 * @param adapterDtype the dtype of the trainable adapters and their optimizer states when it differs from the precision
 * @param zeroStage    DeepSpeed ZeRO stage 0–3 (FSDP SHARD_GRAD_OP is 2, FULL_SHARD 3)
 * @param offload      ZeRO-Offload / FSDP CPU offload
 * @param gpus         GPUs the job ran on (the measurement is one GPU's, the batch per GPU)
 * @param maxObjects   detectors: the most labelled boxes in one image of the batch
 */
public record RunSetup(
        Framework framework, Precision adapterDtype, Integer zeroStage, Offload offload, int gpus, Integer maxObjects) {
    public RunSetup {
        if (zeroStage != null && (zeroStage < 0 || zeroStage > 3)) {
            throw new IllegalArgumentException("zero_stage must be 0, 1, 2 or 3, not " + zeroStage);
        }
        if (gpus < 1 || gpus > Limits.MAX_GPUS) {
            throw new IllegalArgumentException("gpus must be between 1 and " + Limits.MAX_GPUS + ", not " + gpus);
        }
        if (maxObjects != null && (maxObjects < 0 || maxObjects > Limits.MAX_OBJECTS)) {
            throw new IllegalArgumentException(
                    "max_objects must be between 0 and " + Limits.MAX_OBJECTS + ", not " + maxObjects);
        }
        parallelism(zeroStage, offload, gpus); // a combination no framework runs is an error here, at its fields
    }

    /** Nothing stated: one GPU, no sharding, no offload. */
    public static RunSetup plain() {
        return new RunSetup(null, null, null, null, 1, null);
    }

    /**
     * The cards and the sharding the run used, as the estimator models them: ZeRO stage 1–3 (on one GPU too: DeepSpeed
     * keeps its own layout there, as Qwen's single-GPU scripts run it), data parallel (DDP) on several GPUs without a
     * stage, one card otherwise.
     *
     * @throws IllegalArgumentException a combination no framework runs (an offload without ZeRO, parameters offloaded
     *     below stage 3)
     */
    public Parallelism parallelism() {
        return parallelism(zeroStage, offload, gpus);
    }

    private static Parallelism parallelism(Integer zeroStage, Offload offload, int gpus) {
        int stage = zeroStage == null ? 0 : zeroStage;
        Strategy strategy =
                switch (stage) {
                    case 1 -> Strategy.ZERO1;
                    case 2 -> Strategy.ZERO2;
                    case 3 -> Strategy.ZERO3;
                    default -> gpus > 1 ? Strategy.DDP : Strategy.SINGLE;
                };
        return new Parallelism(gpus, strategy, offload == null ? Offload.NONE : offload);
    }
}
