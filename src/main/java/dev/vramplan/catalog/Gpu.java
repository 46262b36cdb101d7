package dev.vramplan.catalog;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A card type, as its datasheet describes it.
 *
 * @param memoryBytes        memory as sold (e.g. 16 GB)
 * @param usableBytes        what programs see as total memory ({@code torch.cuda.get_device_properties().total_memory})
 * @param computeCapability  NVIDIA compute capability (e.g. 8.6); null for other vendors
 * @param runtimeBytes       CUDA context and library workspaces before any tensor; null: the estimator's default
 */
public record Gpu(
        String id,
        String name,
        String vendor,
        String gpuClass,
        String architecture,
        Double computeCapability,
        long memoryBytes,
        long usableBytes,
        double bandwidthGBps,
        Double tdpWatts,
        Set<DataType> nativePrecisions,
        Map<DataType, Double> peakDenseTflops,
        Long runtimeBytes) {
    public Gpu {
        Objects.requireNonNull(id);
        nativePrecisions = Set.copyOf(nativePrecisions);
        peakDenseTflops = Map.copyOf(peakDenseTflops);
        if (usableBytes <= 0 || usableBytes > memoryBytes * 11 / 10) {
            throw new IllegalArgumentException("usable memory must be positive and at most 10% above the memory sold");
        }
    }
}
