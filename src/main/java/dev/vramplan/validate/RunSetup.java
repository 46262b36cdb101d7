package dev.vramplan.validate;

import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Offload;
import dev.vramplan.catalog.Precision;

/**
 * How the run of one measurement was set up, as its source states it (measurement format 2, "How the run was set
 * up"). Null means "not stated": the estimator then assumes the plain single-GPU setup of the method.
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
    }

    /** Nothing stated: one GPU, no sharding, no offload. */
    public static RunSetup plain() {
        return new RunSetup(null, null, null, null, 1, null);
    }

    /**
     * Why the estimator cannot judge this run yet, or null when it can: ZeRO sharding, offload and more than one GPU
     * change what one card holds, and the estimator models one card without them (issue #13 adds them).
     */
    public String notModelled() {
        StringBuilder b = new StringBuilder();
        if (zeroStage != null && zeroStage > 0) {
            b.append("ZeRO stage ").append(zeroStage);
        }
        if (offload != null && offload != Offload.NONE) {
            b.append(b.length() > 0 ? ", " : "").append("offload ").append(offload.id());
        }
        if (gpus > 1) {
            b.append(b.length() > 0 ? " on " : "").append(gpus).append(" GPUs");
        }
        return b.length() == 0 ? null : b + ": multi-card sharding is not modelled yet";
    }
}
