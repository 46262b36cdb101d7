package dev.vramplan.rules;

/**
 * A way to spread a job over cards of one type that the planner would try: how many, and how. A rule that refuses it
 * inserts a {@link Rejection} ({@code Rejection.of(kcontext, $l, "why")}) before any candidate of it is estimated.
 *
 * @param gpus     cards of the type (1: one card)
 * @param strategy "single", "ddp", "zero1", "zero2", "zero3" or "tp"
 * @param offload  "none", "optimizer" or "optimizer+params"
 */
public record LayoutOption(String cell, String gpu, String job, int gpus, String strategy, String offload) {
    /** How the trail and the rejections name a layout: "1 GPU", "8 × zero3", "4 × zero3 + offload optimizer+params". */
    public String label() {
        return label(gpus, strategy, offload);
    }

    public static String label(int gpus, String strategy, String offload) {
        if (gpus == 1 && "single".equals(strategy)) {
            return "1 GPU";
        }
        return gpus + " × " + strategy + ("none".equals(offload) ? "" : " + offload " + offload);
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

    public int getGpus() {
        return gpus;
    }

    public String getStrategy() {
        return strategy;
    }

    public String getOffload() {
        return offload;
    }

    public boolean isOffloaded() {
        return !"none".equals(offload);
    }
}
