package dev.vramplan.estimate;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The memory one configuration needs, part by part.
 *
 * @param peakAllocatedBytes live tensors at the peak ({@code torch.cuda.max_memory_allocated()})
 * @param reservedBytes      what the caching allocator holds ({@code torch.cuda.memory_reserved()})
 * @param deviceBytes        what nvidia-smi shows for the process: reserved plus the runtime
 * @param usableBytes        the card's memory as programs see it
 * @param params             parameters of the model as derived from its architecture
 * @param peakPhase          when the peak happens: "forward/backward", "optimizer step" or "forward"
 * @param activationFactor   the measured correction applied to activations and inputs/outputs (1: uncalibrated)
 */
public record Estimate(Map<Component, Long> breakdown, long peakAllocatedBytes, long reservedBytes, long deviceBytes,
                       long usableBytes, long params, String peakPhase, double activationFactor) {
    public Estimate {
        breakdown = Collections.unmodifiableMap(new EnumMap<>(breakdown));
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
