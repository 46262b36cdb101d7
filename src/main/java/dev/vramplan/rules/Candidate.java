package dev.vramplan.rules;

/**
 * One configuration of a card and a job with its estimate: what the rules accept, reject and choose from.
 * Java computes the numbers; rules never change a candidate, they insert decisions about it.
 *
 * @param deviceBytes memory the job needs on the card (what nvidia-smi would show)
 * @param usableBytes the card's memory as programs see it
 * @param deviceBytesHigh the top of the estimate's band: with the band's confidence (90%) the job needs no more
 *                        (catalog/bands.yaml); equal to {@code deviceBytes} when the catalog has no band for the job
 */
public record Candidate(long id, String cell, String gpu, String job, String precision, int rank, int resolutionPx,
                        int seqLenTokens, int batch, long deviceBytes, long usableBytes, boolean targetSize,
                        long deviceBytesHigh) {
    public Candidate {
        if (deviceBytesHigh < deviceBytes) {
            throw new IllegalArgumentException("the top of the band (" + deviceBytesHigh + ") is below the estimate (" + deviceBytes + ")");
        }
    }

    /** A candidate without a band: its top is its estimate. */
    public Candidate(long id, String cell, String gpu, String job, String precision, int rank, int resolutionPx,
                     int seqLenTokens, int batch, long deviceBytes, long usableBytes, boolean targetSize) {
        this(id, cell, gpu, job, precision, rank, resolutionPx, seqLenTokens, batch, deviceBytes, usableBytes, targetSize, deviceBytes);
    }

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
    public long getDeviceBytesHigh() { return deviceBytesHigh; }
    /** device bytes as a share of usable memory. */
    public double getUtilization() { return (double) deviceBytes / usableBytes; }
    /** Whether the candidate keeps the workload's target resolution or sequence length. */
    public boolean isTargetSize() { return targetSize; }
}
