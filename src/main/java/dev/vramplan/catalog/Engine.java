package dev.vramplan.catalog;

import dev.vramplan.input.Named;

/** What serves an inference workload: Hugging Face {@code generate} (a batch) or vLLM (a KV-cache pool). */
public enum Engine implements Named {
    HF("hf"),
    VLLM("vllm");

    private final String id;

    Engine(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Engine of(String id) {
        return Named.byId(Engine.class, id);
    }
}
