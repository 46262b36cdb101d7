package dev.vramplan.catalog;

import java.util.List;
import java.util.Objects;

/**
 * A job to plan on every card: a model, training or inference, the target input size, the
 * optimizer, the target global batch and tags the rules may use.
 *
 * @param resolutionPx  target square input side (vision); null for text
 * @param seqLenTokens  target sequence length (text); null for vision
 * @param globalBatch   the effective batch the team wants (gradient accumulation or replicas make it up)
 * @param precisions    the precisions the team will consider, highest first; empty: all
 * @param finetune      full, lora or qlora (training)
 * @param trainableParams adapter parameters when known; null: derived from loraRank
 * @param loraRank      adapter rank (null: the estimator's default)
 * @param gradientCheckpointing recompute activations in backward
 * @param flashAttention fused attention (default true)
 * @param ema           keep an EMA copy of the weights (Ultralytics does)
 * @param quantization  storage of 8/4-bit weights; null: the precision's default
 * @param framework     the training or serving code; null: the model family's usual one ({@link Framework#defaultFor})
 * @param maxObjects    detectors: labelled boxes in the busiest image of a batch; null: a typical count (60)
 * @param engine        inference: hf (generate, a batch) or vllm (a KV-cache pool and its concurrency)
 * @param gpuMemoryUtilization vllm: the share of each card the engine takes (vLLM's default 0.9)
 */
public record Workload(
        String id,
        String modelId,
        Mode mode,
        Integer resolutionPx,
        Integer seqLenTokens,
        Optimizer optimizer,
        int globalBatch,
        String team,
        String priority,
        boolean production,
        List<Precision> precisions,
        Finetune finetune,
        Long trainableParams,
        Integer loraRank,
        boolean gradientCheckpointing,
        boolean flashAttention,
        boolean ema,
        Quantization quantization,
        Framework framework,
        Integer maxObjects,
        Engine engine,
        double gpuMemoryUtilization) {
    /** vLLM's default share of the card. */
    public static final double DEFAULT_GPU_MEMORY_UTILIZATION = 0.9;

    public Workload {
        if (engine == null) {
            engine = Engine.HF;
        }
        if (!(gpuMemoryUtilization > 0) || gpuMemoryUtilization > 1) {
            throw new IllegalArgumentException("gpu_memory_utilization must be above 0 and at most 1");
        }
        if (engine == Engine.VLLM && mode != Mode.INFERENCE) {
            throw new IllegalArgumentException("vllm serves: a training workload has no engine");
        }
        Objects.requireNonNull(id);
        Objects.requireNonNull(mode);
        precisions = List.copyOf(precisions);
        if (finetune == null) {
            finetune = Finetune.FULL;
        }
        if ((resolutionPx == null) == (seqLenTokens == null)) {
            throw new IllegalArgumentException("a workload has either a resolution or a sequence length");
        }
        if (maxObjects != null && (maxObjects < 0 || maxObjects > Limits.MAX_OBJECTS)) {
            throw new IllegalArgumentException("max_objects must be between 0 and " + Limits.MAX_OBJECTS);
        }
    }

    /** A workload run the family's usual way, with a typical number of boxes per image. */
    public Workload(
            String id,
            String modelId,
            Mode mode,
            Integer resolutionPx,
            Integer seqLenTokens,
            Optimizer optimizer,
            int globalBatch,
            String team,
            String priority,
            boolean production,
            List<Precision> precisions,
            Finetune finetune,
            Long trainableParams,
            Integer loraRank,
            boolean gradientCheckpointing,
            boolean flashAttention,
            boolean ema,
            Quantization quantization) {
        this(
                id,
                modelId,
                mode,
                resolutionPx,
                seqLenTokens,
                optimizer,
                globalBatch,
                team,
                priority,
                production,
                precisions,
                finetune,
                trainableParams,
                loraRank,
                gradientCheckpointing,
                flashAttention,
                ema,
                quantization,
                null,
                null);
    }

    /** A workload with its framework and boxes, served by generate (or trained). */
    public Workload(
            String id,
            String modelId,
            Mode mode,
            Integer resolutionPx,
            Integer seqLenTokens,
            Optimizer optimizer,
            int globalBatch,
            String team,
            String priority,
            boolean production,
            List<Precision> precisions,
            Finetune finetune,
            Long trainableParams,
            Integer loraRank,
            boolean gradientCheckpointing,
            boolean flashAttention,
            boolean ema,
            Quantization quantization,
            Framework framework,
            Integer maxObjects) {
        this(
                id,
                modelId,
                mode,
                resolutionPx,
                seqLenTokens,
                optimizer,
                globalBatch,
                team,
                priority,
                production,
                precisions,
                finetune,
                trainableParams,
                loraRank,
                gradientCheckpointing,
                flashAttention,
                ema,
                quantization,
                framework,
                maxObjects,
                Engine.HF,
                DEFAULT_GPU_MEMORY_UTILIZATION);
    }
}
