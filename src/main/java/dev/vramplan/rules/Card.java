package dev.vramplan.rules;

import java.util.Set;

/**
 * A card type as the rules see it.
 *
 * @param computeCapability NVIDIA compute capability, 0 for other vendors
 * @param gpuClass          datacenter, workstation or consumer
 * @param memoryBytes       memory as sold (a "16 GB" card: 16,000,000,000), for rules that speak of card sizes
 * @param usableBytes       what programs see as total memory, against which candidates are measured
 * @param count             cards of this type in the fleet: no job uses more
 * @param perNode           cards of this type in one server, sharing NVLink
 */
public record Card(
        String id,
        String name,
        String vendor,
        String gpuClass,
        String architecture,
        double computeCapability,
        long memoryBytes,
        long usableBytes,
        Set<String> nativePrecisions,
        int count,
        int perNode) {
    public Card {
        nativePrecisions = Set.copyOf(nativePrecisions);
    }

    /** A card whose servers hold min(count, 8). */
    public Card(
            String id,
            String name,
            String vendor,
            String gpuClass,
            String architecture,
            double computeCapability,
            long memoryBytes,
            long usableBytes,
            Set<String> nativePrecisions,
            int count) {
        this(
                id,
                name,
                vendor,
                gpuClass,
                architecture,
                computeCapability,
                memoryBytes,
                usableBytes,
                nativePrecisions,
                count,
                Math.min(count, 8));
    }

    public int getPerNode() {
        return perNode;
    }

    /** Whether the hardware runs a number format natively ("fp8", "bf16", …). */
    public boolean runs(String precision) {
        return nativePrecisions.contains(precision);
    }

    // bean-style accessors: DRL constraints read properties through getters
    public String getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getVendor() {
        return vendor;
    }

    public String getGpuClass() {
        return gpuClass;
    }

    public String getArchitecture() {
        return architecture;
    }

    public double getComputeCapability() {
        return computeCapability;
    }

    public long getMemoryBytes() {
        return memoryBytes;
    }

    public long getUsableBytes() {
        return usableBytes;
    }

    public Set<String> getNativePrecisions() {
        return nativePrecisions;
    }

    public int getCount() {
        return count;
    }

    public boolean isConsumer() {
        return "consumer".equals(gpuClass);
    }
}
