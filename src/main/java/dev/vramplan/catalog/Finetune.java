package dev.vramplan.catalog;

import dev.vramplan.input.Named;

/**
 * What a training job updates: every parameter ({@code full}), low-rank adapters on a frozen base in the
 * training precision ({@code lora}), or adapters on a 4-bit frozen base ({@code qlora}, Dettmers et al. 2023); LitGPT's LLaMA-Adapter ({@code adapter}:
 * learned prompts with a zero-init gate in the top layers) and LLaMA-Adapter v2 ({@code adapter-v2}: also a bias and a
 * scale on every linear layer, so every frozen linear output is kept for the backward pass).
 */
public enum Finetune implements Named {
    FULL("full"),
    LORA("lora"),
    QLORA("qlora"),
    ADAPTER("adapter"),
    ADAPTER_V2("adapter-v2");

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
