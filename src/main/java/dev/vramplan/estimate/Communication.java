package dev.vramplan.estimate;

/**
 * Memory that collective communication holds on each GPU of a multi-card job, with the frameworks' defaults.
 */
final class Communication {
    private Communication() {}

    /**
     * NCCL's own buffers: per channel and connection a receive buffer for each protocol. NVIDIA/nccl src/init.cc (as of
     * v2.18–2.21): {@code DEFAULT_BUFFSIZE (1 << 22)} (Simple, 4 MiB), {@code DEFAULT_LL_BUFFSIZE} = 8 lines × 512 threads
     * × 8 steps × 16 B = 512 KiB, {@code DEFAULT_LL128_BUFFSIZE} = 120 × 640 × 8 × 8 B = 4,915,200 B;
     * src/include/device.h {@code MAXCHANNELS 32}. Two connections per channel (the ring's previous and next rank), at
     * the most channels NCCL builds: 32 × 2 × 9,633,792 B ≈ 588 MiB.
     */
    static final long NCCL_BUFFER_BYTES = 32L * 2 * ((1L << 22) + 8L * 512 * 8 * 16 + 120L * 640 * 8 * 8);

    /**
     * DeepSpeed's {@code reduce_bucket_size} and {@code allgather_bucket_size} defaults, in elements: {@code pp_int(5e8)}
     * (deepspeed/runtime/zero/config.py, microsoft/DeepSpeed 50c6d6f).
     */
    static final long REDUCE_BUCKET_ELEMENTS = 500_000_000L;

    static final long ALLGATHER_BUCKET_ELEMENTS = 500_000_000L;
    /** DeepSpeed {@code stage3_prefetch_bucket_size} default {@code pp_int(5e7)} elements (same file). */
    static final long PREFETCH_BUCKET_ELEMENTS = 50_000_000L;
    /** DeepSpeed {@code stage3_max_live_parameters} default {@code pp_int(1e9)} elements (same file): gathered parameters never exceed it. */
    static final long MAX_LIVE_PARAMETERS = 1_000_000_000L;
}
