package dev.vramplan.catalog;

import dev.vramplan.input.Named;

/** The job a workload does on the card. */
public enum Mode implements Named {
    TRAIN("train"),
    INFERENCE("inference");

    private final String id;

    Mode(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Mode of(String id) {
        return Named.byId(Mode.class, id);
    }
}
