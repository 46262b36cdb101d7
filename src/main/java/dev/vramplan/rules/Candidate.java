package dev.vramplan.rules;

/**
 * One configuration of a card and a job with its estimate: what the rules accept, reject and choose from.
 * Java computes the numbers; rules never change a candidate, they insert decisions about it.
 *
 * @param deviceBytes memory the job needs on the card (what nvidia-smi would show)
 * @param usableBytes the card's memory as programs see it
 */
public record Candidate(long id, String cell, String gpu, String job, String precision, int rank, int resolutionPx,
                        int seqLenTokens, int batch, long deviceBytes, long usableBytes, boolean targetSize) {
    public long getId() { return id; }
    public String getCell() { return cell; }
    public String getGpu() { return gpu; }
    public String getJob() { return job; }
    public String getPrecision() { return precision; }
    public int getRank() { return rank; }
    public int getResolutionPx() { return resolutionPx; }
    public int getSeqLenTokens() { return seqLenTokens; }
    public int getBatch() { return batch; }
    public long getDeviceBytes() { return deviceBytes; }
    public long getUsableBytes() { return usableBytes; }
    /** device bytes as a share of usable memory. */
    public double getUtilization() { return (double) deviceBytes / usableBytes; }
    /** Whether the candidate keeps the workload's target resolution or sequence length. */
    public boolean isTargetSize() { return targetSize; }
}
