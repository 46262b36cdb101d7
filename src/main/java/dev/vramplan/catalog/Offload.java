package dev.vramplan.catalog;

import dev.vramplan.input.Named;

/** What ZeRO-Offload / FSDP CPU offload moves to host memory (measurement format 2's {@code offload}). */
public enum Offload implements Named {
    NONE("none"),
    OPTIMIZER("optimizer"),
    OPTIMIZER_PARAMS("optimizer+params");

    private final String id;

    Offload(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Offload of(String id) {
        return Named.byId(Offload.class, id);
    }
}
