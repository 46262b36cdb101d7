package dev.vramplan.plan;

import dev.vramplan.estimate.EstimateRequest;

/**
 * Batch sizes from the minimum up to the first that exceeds the card (so the rules can say why not
 * larger): powers of two (step 0), multiples of the step, or powers of two up to a bound and multiples of the
 * step above it. Kept as a formula, not a list: with step 1 a large card holds tens of thousands of sizes.
 *
 * @param powers      how many powers of two ({@code start}, 2·start, …) come first; the rest are multiples
 * @param linearStart the first multiple of the step, after the powers of two
 */
record Ladder(long start, int powers, long linearStart, int step, int size) {
    int get(int idx) {
        return (int) (idx < powers ? start << idx : linearStart + (long) (idx - powers) * step);
    }

    boolean isEmpty() {
        return size == 0;
    }

    Ladder withSize(int n) {
        return new Ladder(start, powers, linearStart, step, n);
    }

    /** Powers of two (step 0) or multiples of the step, from the smallest allowed batch. */
    static Ladder of(int step, int minBatch, int physicalMax) {
        return of(step, 0, minBatch, physicalMax);
    }

    /**
     * The batch ladder of a cell: with step 0 powers of two; with a step n and no bound, multiples of n; with a step n
     * and {@code powersOfTwoUpTo} b, powers of two up to b and then multiples of n above b (1 … 64, 72, 80, …). Every
     * batch is at least the minimum batch.
     */
    static Ladder of(int step, int powersOfTwoUpTo, int minBatch, int physicalMax) {
        long max = EstimateRequest.MAX_BATCH;
        long start = 1;
        while (start < minBatch) {
            start *= 2;
        }
        long powersCap; // how many powers of two the ladder may have
        long linearStart;
        if (step <= 0) {
            powersCap = Long.MAX_VALUE;
            linearStart = Long.MAX_VALUE;
        } else if (powersOfTwoUpTo <= 0) {
            powersCap = 0;
            linearStart = ((minBatch + step - 1L) / step) * step;
        } else {
            powersCap = 0;
            for (long b = start; b <= powersOfTwoUpTo; b *= 2) {
                powersCap++;
            }
            linearStart = Math.max(powersOfTwoUpTo / step + 1L, (minBatch + step - 1L) / step) * step;
        }
        // count values <= physicalMax, then one more (the first that does not fit), all within MAX_BATCH
        int size = 0;
        int powers = 0;
        boolean over = false;
        for (long b = start; powers < powersCap && b <= max; b *= 2) {
            powers++;
            size++;
            if (b > physicalMax) {
                over = true;
                break;
            }
        }
        if (!over && step > 0 && linearStart <= max) {
            long fitting = physicalMax < linearStart ? 0 : (physicalMax - linearStart) / step + 1;
            long count = (max - linearStart) / step + 1;
            size += (int) Math.min(fitting + 1, count);
        }
        return new Ladder(
                powers == 0 ? linearStart : start,
                step <= 0 ? Integer.MAX_VALUE : powers,
                linearStart == Long.MAX_VALUE ? 0 : linearStart,
                step,
                size);
    }
}
