package dev.vramplan.catalog;

import dev.vramplan.input.Named;

/**
 * What a ZeRO / FSDP job keeps in CPU memory instead of on the GPU: the planner's layouts, {@code estimate --offload}
 * and measurement format 2's {@code offload} (DeepSpeed {@code offload_optimizer}, {@code offload_param};
 * deepspeed/runtime/zero/config.py at microsoft/DeepSpeed 50c6d6f: the optimizer offload is "Valid for ZeRO stage 1,
 * 2, 3", the parameter offload "Valid only with stage 3").
 */
public enum Offload implements Named {
    NONE("none"),
    /** fp32 master weights, optimizer states and fp32 gradients live on the CPU; the step runs there. */
    OPTIMIZER("optimizer"),
    /** As {@link #OPTIMIZER}, and the 16-bit parameter shard too: only the gathered units are on the GPU. */
    OPTIMIZER_PARAMS("optimizer+params");

    private final String id;

    Offload(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    public static Offload of(String id) {
        return Named.byId(Offload.class, id);
    }
}
