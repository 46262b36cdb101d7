package dev.vramplan.catalog;

import dev.vramplan.input.Named;

/**
 * What a training job updates: every parameter ({@code full}), low-rank adapters on a frozen base in the
 * training precision ({@code lora}), or adapters on a 4-bit frozen base ({@code qlora}, Dettmers et al. 2023).
 */
public enum Finetune implements Named {
    FULL("full"), LORA("lora"), QLORA("qlora");

    private final String id;

    Finetune(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Finetune of(String id) {
        return Named.byId(Finetune.class, id);
    }
}
