package dev.vramplan.rules;

/**
 * A workload as the rules see it.
 *
 * @param mode          "train" or "inference"
 * @param stride        the model's largest stride (32 for detectors and CNNs), the patch for ViT, 1 for text
 * @param resolutionPx  target input side (vision), 0 for text
 * @param seqLenTokens  target sequence length (text), 0 for vision
 * @param finetune      full, lora or qlora
 * @param engine        inference: "hf" (generate) or "vllm"; "hf" for training
 */
public record Job(
        String id,
        String model,
        String family,
        String mode,
        boolean vision,
        boolean detector,
        boolean batchNorm,
        boolean decoder,
        int stride,
        int resolutionPx,
        int seqLenTokens,
        String optimizer,
        int globalBatch,
        String team,
        String priority,
        boolean production,
        String finetune,
        String engine) {
    public Job(
            String id,
            String model,
            String family,
            String mode,
            boolean vision,
            boolean detector,
            boolean batchNorm,
            boolean decoder,
            int stride,
            int resolutionPx,
            int seqLenTokens,
            String optimizer,
            int globalBatch,
            String team,
            String priority,
            boolean production,
            String finetune) {
        this(
                id,
                model,
                family,
                mode,
                vision,
                detector,
                batchNorm,
                decoder,
                stride,
                resolutionPx,
                seqLenTokens,
                optimizer,
                globalBatch,
                team,
                priority,
                production,
                finetune,
                "hf");
    }

    public String getEngine() {
        return engine;
    }

    public String getId() {
        return id;
    }

    public String getModel() {
        return model;
    }

    public String getFamily() {
        return family;
    }

    public String getMode() {
        return mode;
    }

    public boolean isTraining() {
        return "train".equals(mode);
    }

    public boolean isInference() {
        return "inference".equals(mode);
    }

    public boolean isVision() {
        return vision;
    }

    public boolean isDetector() {
        return detector;
    }

    public boolean isBatchNorm() {
        return batchNorm;
    }

    public boolean isDecoder() {
        return decoder;
    }

    public int getStride() {
        return stride;
    }

    public int getResolutionPx() {
        return resolutionPx;
    }

    public int getSeqLenTokens() {
        return seqLenTokens;
    }

    public String getOptimizer() {
        return optimizer;
    }

    public int getGlobalBatch() {
        return globalBatch;
    }

    public String getTeam() {
        return team;
    }

    public String getPriority() {
        return priority;
    }

    public boolean isProduction() {
        return production;
    }
    /** "full", "lora" or "qlora". */
    public String getFinetune() {
        return finetune;
    }
}
