package dev.vramplan.rules;

/**
 * One configuration of a card and a job with its estimate: what the rules accept, reject and choose from.
 * Java computes the numbers; rules never change a candidate, they insert decisions about it.
 *
 * @param deviceBytes memory the job needs on the card (what nvidia-smi would show)
 * @param usableBytes the card's memory as programs see it
 * @param gpus        cards of the type the job runs on (deviceBytes is per GPU)
 * @param strategy    "single", "ddp", "zero1", "zero2", "zero3" or "tp"
 * @param offload     "none", "optimizer" or "optimizer+params"
 * @param batch       the per-GPU micro-batch; for a vLLM workload, the concurrent sequences its KV-cache pool holds
 * @param deviceBytesHigh the top of the estimate's band: with the band's confidence (90%) the job needs no more
 *                        (catalog/bands.yaml); equal to {@code deviceBytes} when the catalog has no band for the job
 */
public record Candidate(
        long id,
        String cell,
        String gpu,
        String job,
        String precision,
        int rank,
        int resolutionPx,
        int seqLenTokens,
        int batch,
        long deviceBytes,
        long usableBytes,
        boolean targetSize,
        int gpus,
        String strategy,
        String offload,
        long deviceBytesHigh) {
    public Candidate {
        if (deviceBytesHigh < deviceBytes) {
            throw new IllegalArgumentException(
                    "the top of the band (" + deviceBytesHigh + ") is below the estimate (" + deviceBytes + ")");
        }
    }

    /** A candidate on one card, without a band: its top is its estimate. */
    public Candidate(
            long id,
            String cell,
            String gpu,
            String job,
            String precision,
            int rank,
            int resolutionPx,
            int seqLenTokens,
            int batch,
            long deviceBytes,
            long usableBytes,
            boolean targetSize) {
        this(
                id,
                cell,
                gpu,
                job,
                precision,
                rank,
                resolutionPx,
                seqLenTokens,
                batch,
                deviceBytes,
                usableBytes,
                targetSize,
                1,
                "single",
                "none",
                deviceBytes);
    }

    /** A candidate on one card with the top of its band. */
    public Candidate(
            long id,
            String cell,
            String gpu,
            String job,
            String precision,
            int rank,
            int resolutionPx,
            int seqLenTokens,
            int batch,
            long deviceBytes,
            long usableBytes,
            boolean targetSize,
            long deviceBytesHigh) {
        this(
                id,
                cell,
                gpu,
                job,
                precision,
                rank,
                resolutionPx,
                seqLenTokens,
                batch,
                deviceBytes,
                usableBytes,
                targetSize,
                1,
                "single",
                "none",
                deviceBytesHigh);
    }

    /** A candidate on several cards, without a band. */
    public Candidate(
            long id,
            String cell,
            String gpu,
            String job,
            String precision,
            int rank,
            int resolutionPx,
            int seqLenTokens,
            int batch,
            long deviceBytes,
            long usableBytes,
            boolean targetSize,
            int gpus,
            String strategy,
            String offload) {
        this(
                id,
                cell,
                gpu,
                job,
                precision,
                rank,
                resolutionPx,
                seqLenTokens,
                batch,
                deviceBytes,
                usableBytes,
                targetSize,
                gpus,
                strategy,
                offload,
                deviceBytes);
    }

    public int getGpus() {
        return gpus;
    }

    public String getStrategy() {
        return strategy;
    }

    public String getOffload() {
        return offload;
    }
    /** The order of strategies when all else ties: the simplest first (single, ddp, zero1, zero2, zero3, tp). */
    public int getStrategyRank() {
        return strategyRank(strategy);
    }

    /** The rank of a strategy by its id, as {@link #getStrategyRank()} gives it. */
    public static int strategyRank(String strategy) {
        return switch (strategy) {
            case "single" -> 0;
            case "ddp" -> 1;
            case "zero1" -> 2;
            case "zero2" -> 3;
            case "zero3" -> 4;
            default -> 5;
        };
    }
    /** The layout as the trail names it ("1 GPU", "8 × zero3"). */
    public String getLayout() {
        return LayoutOption.label(gpus, strategy, offload);
    }
    /** Whether part of the job's state lives in CPU memory. */
    public boolean isOffloaded() {
        return !"none".equals(offload);
    }
    /** Samples per optimizer step before accumulation: the per-GPU batch on every data-parallel GPU. */
    public int getSamplesPerStep() {
        return "tp".equals(strategy) ? batch : batch * gpus;
    }

    public long getId() {
        return id;
    }

    public String getCell() {
        return cell;
    }

    public String getGpu() {
        return gpu;
    }

    public String getJob() {
        return job;
    }

    public String getPrecision() {
        return precision;
    }

    public int getRank() {
        return rank;
    }

    public int getResolutionPx() {
        return resolutionPx;
    }

    public int getSeqLenTokens() {
        return seqLenTokens;
    }

    public int getBatch() {
        return batch;
    }

    public long getDeviceBytes() {
        return deviceBytes;
    }

    public long getUsableBytes() {
        return usableBytes;
    }

    public long getDeviceBytesHigh() {
        return deviceBytesHigh;
    }
    /** device bytes as a share of usable memory. */
    public double getUtilization() {
        return (double) deviceBytes / usableBytes;
    }
    /** Whether the candidate keeps the workload's target resolution or sequence length. */
    public boolean isTargetSize() {
        return targetSize;
    }
}
