package dev.vramplan.catalog;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the planner reads from {@code catalog/}: cards, models, the fleet and its workloads, the measured
 * corrections and the bands around estimates.
 *
 * @param perNode GPUs of each fleet card type in one server, sharing NVLink (fleet.yaml {@code per_node}; default
 *                min(count, 8))
 */
public record Catalog(
        Map<String, Gpu> gpus,
        Map<String, Model> models,
        Map<String, Integer> fleetCards,
        List<Workload> workloads,
        List<Calibration> calibrations,
        Map<String, Integer> perNode,
        Bands bands) {
    /** GPUs in one server when the fleet does not say: the usual 8-GPU server (DGX/HGX A100 and H100). */
    public static final int DEFAULT_PER_NODE = 8;

    /** A catalog with the default servers and without band data: estimates carry no margin. */
    public Catalog(
            Map<String, Gpu> gpus,
            Map<String, Model> models,
            Map<String, Integer> fleetCards,
            List<Workload> workloads,
            List<Calibration> calibrations) {
        this(gpus, models, fleetCards, workloads, calibrations, Map.of(), Bands.NONE);
    }

    /** A catalog with the default servers. */
    public Catalog(
            Map<String, Gpu> gpus,
            Map<String, Model> models,
            Map<String, Integer> fleetCards,
            List<Workload> workloads,
            List<Calibration> calibrations,
            Bands bands) {
        this(gpus, models, fleetCards, workloads, calibrations, Map.of(), bands);
    }

    /** A catalog without band data. */
    public Catalog(
            Map<String, Gpu> gpus,
            Map<String, Model> models,
            Map<String, Integer> fleetCards,
            List<Workload> workloads,
            List<Calibration> calibrations,
            Map<String, Integer> perNode) {
        this(gpus, models, fleetCards, workloads, calibrations, perNode, Bands.NONE);
    }

    public Catalog {
        if (bands == null) {
            bands = Bands.NONE;
        }
        Map<String, Integer> nodes = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : fleetCards.entrySet()) {
            Integer given = perNode.get(e.getKey());
            nodes.put(e.getKey(), given != null ? given : Math.min(e.getValue(), DEFAULT_PER_NODE));
        }
        perNode = Collections.unmodifiableMap(nodes);
        calibrations = List.copyOf(calibrations);
        gpus = Collections.unmodifiableMap(new LinkedHashMap<>(gpus));
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        fleetCards = Collections.unmodifiableMap(new LinkedHashMap<>(fleetCards));
        workloads = List.copyOf(workloads);
    }

    public Gpu gpu(String id) {
        return gpus.get(id);
    }

    /** GPUs of a fleet card type in one server (0 for a card not in the fleet). */
    public int perNode(String gpuId) {
        return perNode.getOrDefault(gpuId, 0);
    }

    public Model model(String id) {
        return models.get(id);
    }

    /** The measured correction for a model (its own or its family's), or null. */
    public Calibration calibration(Model m) {
        return Calibration.forModel(calibrations, m);
    }
}
