package dev.vramplan.estimate;

import dev.vramplan.catalog.Limits;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The memory one configuration needs, part by part. Always exact: {@code peakAllocatedBytes} is the sum of the
 * components other than the allocator's cache and the runtime, {@code reservedBytes} adds the cache and
 * {@code deviceBytes} the runtime, all within {@link Limits#MAX_ESTIMATE_BYTES} (the constructor checks).
 *
 * @param peakAllocatedBytes live tensors at the peak ({@code torch.cuda.max_memory_allocated()})
 * @param reservedBytes      what the caching allocator holds ({@code torch.cuda.memory_reserved()})
 * @param deviceBytes        what nvidia-smi shows for the process: reserved plus the runtime
 * @param usableBytes        the card's memory as programs see it
 * @param params             parameters of the model as derived from its architecture
 * @param peakPhase          when the peak happens: "forward/backward", "optimizer step" or "forward"
 * @param activationFactor   the measured correction applied to activations and inputs/outputs (1: uncalibrated)
 */
public record Estimate(
        Map<Component, Long> breakdown,
        long peakAllocatedBytes,
        long reservedBytes,
        long deviceBytes,
        long usableBytes,
        long params,
        String peakPhase,
        double activationFactor) {
    public Estimate {
        breakdown = Collections.unmodifiableMap(new EnumMap<>(breakdown));
        // the totals are the sums of their parts, exactly, within the bound (see Estimator)
        long peak = 0;
        for (Component c : Component.values()) {
            long v = breakdown.getOrDefault(c, 0L);
            if (v < 0) {
                throw new IllegalArgumentException(c.id() + " is negative: " + v);
            }
            if (c != Component.ALLOCATOR_CACHE && c != Component.RUNTIME) {
                peak = Math.addExact(peak, v);
            }
        }
        if (peakAllocatedBytes != peak
                || reservedBytes != Math.addExact(peak, breakdown.getOrDefault(Component.ALLOCATOR_CACHE, 0L))
                || deviceBytes != Math.addExact(reservedBytes, breakdown.getOrDefault(Component.RUNTIME, 0L))
                || deviceBytes > Limits.MAX_ESTIMATE_BYTES) {
            throw new IllegalArgumentException(
                    "the totals (" + peakAllocatedBytes + ", " + reservedBytes + ", " + deviceBytes
                            + ") are not the sums of the breakdown " + breakdown + " within " + Limits.MAX_ESTIMATE);
        }
    }

    public boolean calibrated() {
        return activationFactor != 1.0;
    }

    public boolean fits() {
        return deviceBytes <= usableBytes;
    }

    /** device bytes as a share of the card's usable memory. */
    public double utilization() {
        return (double) deviceBytes / usableBytes;
    }
}
