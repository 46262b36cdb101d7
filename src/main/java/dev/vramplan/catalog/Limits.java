package dev.vramplan.catalog;

import dev.vramplan.input.Sizes;

/**
 * The bounds on every size a job can be given, in one place: {@code estimate}'s options, fleet.yaml workloads, policy
 * tests, measurements and the estimator all read them here. Each is far beyond what any published job uses, so a
 * value outside is a typo, not a job; the estimate's own bound ({@link #MAX_ESTIMATE_BYTES}) catches the
 * combinations of in-range values that no card could hold.
 */
public final class Limits {
    /**
     * Samples per micro-batch on one card: 2^20. The largest batches in public training logs are tens of thousands
     * of samples for the whole job (LARS/LAMB runs: 32k–64k over hundreds of cards); a million samples per card step
     * leaves room for tiny inputs.
     */
    public static final int MAX_BATCH = 1 << 20;
    /** The effective batch a workload asks for (accumulation and replicas make it up): a million samples per step. */
    public static final int MAX_GLOBAL_BATCH = 1_000_000;
    /** Square input side in pixels: at least one cell at the stride-32 detectors' and CNNs' coarsest scale. */
    public static final int MIN_RESOLUTION = 32;
    /**
     * At most 16,384 px (268 megapixels an image): remote-sensing and whole-slide pipelines train on tiles far
     * below this; training a ViT-B/16 in bf16 on one such image already needs 343 GiB.
     */
    public static final int MAX_RESOLUTION = 16384;
    /** Tokens per sample: 2^21 (2,097,152), the longest context windows published (2M tokens). */
    public static final int MAX_SEQ_LEN = 1 << 21;
    /** Adapter rank: 65,536, above the hidden size of any published model (a rank beyond it adds nothing). */
    public static final int MAX_LORA_RANK = 65536;
    /** Trainable (adapter) parameters, and parameters of a model: ten trillion, five times the largest published. */
    public static final long MAX_PARAMS = 10_000_000_000_000L;
    /** GPUs of one job: 2^20, above the largest published training clusters (about 100,000 GPUs). */
    public static final int MAX_GPUS = 1 << 20;
    /**
     * Labelled boxes in one detector image: 10,000, ten times the densest public sets (SKU-110K tops out near 720 per image;
     * Ultralytics caps predictions at max_det=300).
     */
    public static final int MAX_OBJECTS = 10_000;
    /**
     * The most memory an estimate may reach, any component or the total: 1 PiB ({@link Sizes#MAX_BYTES}, the
     * largest size accepted anywhere). The largest cards hold under 0.2 TiB; beyond 1 PiB "does not fit" is
     * all an estimate could say, and below it every total is the exact sum of its parts in a long.
     */
    public static final long MAX_ESTIMATE_BYTES = Sizes.MAX_BYTES;

    private Limits() {}

    /** "1 PiB": the estimate's bound as messages print it. */
    public static final String MAX_ESTIMATE = "1 PiB";
}
