package dev.vramplan.estimate;

import dev.vramplan.input.Named;

/**
 * How a job spreads over several cards of one type. Each GPU holds what {@link Sharding} (training) or
 * {@link TensorParallel} (serving) says; one card is {@link #SINGLE}.
 */
public enum Strategy implements Named {
    /** One card, nothing shared. */
    SINGLE("single", 0),
    /** Data parallel (PyTorch DDP): every GPU keeps the whole model, its gradients and optimizer states. */
    DDP("ddp", 0),
    /** ZeRO stage 1: optimizer states (and the fp32 master weights) sharded. */
    ZERO1("zero1", 1),
    /** ZeRO stage 2: + gradients sharded. */
    ZERO2("zero2", 2),
    /** ZeRO stage 3 / FSDP full shard: + parameters sharded, gathered unit by unit. */
    ZERO3("zero3", 3),
    /** Tensor parallelism (Megatron-style, as vLLM serves): attention heads, MLP, embeddings and KV cache split. */
    TP("tp", 0);

    private final String id;
    private final int zeroStage;

    Strategy(String id, int zeroStage) {
        this.id = id;
        this.zeroStage = zeroStage;
    }

    @Override
    public String id() {
        return id;
    }

    /** 0 for single, ddp and tp; 1–3 for the ZeRO stages. */
    public int zeroStage() {
        return zeroStage;
    }

    /** Whether the strategy shards training state across data-parallel GPUs. */
    public boolean trains() {
        return this == DDP || zeroStage > 0;
    }

    public static Strategy of(String id) {
        return Named.byId(Strategy.class, id);
    }
}
