package dev.vramplan.catalog;

import dev.vramplan.input.Named;

/** The optimizer of a training job; {@code none} profiles forward and backward only (AutoBatch). */
public enum Optimizer implements Named {
    ADAMW("adamw"),
    ADAMW_8BIT("adamw-8bit"),
    SGD("sgd"),
    ADAFACTOR("adafactor"),
    NONE("none");

    private final String id;

    Optimizer(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optimizer of(String id) {
        return Named.byId(Optimizer.class, id);
    }
}
