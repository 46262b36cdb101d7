package dev.vramplan.rules;

/** One card type × workload being planned; {@code id} is "gpu/workload". */
public record Cell(String id, String gpu, String job) {
    public String getId() {
        return id;
    }

    public String getGpu() {
        return gpu;
    }

    public String getJob() {
        return job;
    }
}
