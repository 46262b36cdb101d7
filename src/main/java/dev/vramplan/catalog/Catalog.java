package dev.vramplan.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Collections;

/**
 * Everything the planner reads from {@code catalog/}: cards, models, the fleet and its workloads, the measured
 * corrections and the bands around estimates.
 */
public record Catalog(Map<String, Gpu> gpus, Map<String, Model> models, Map<String, Integer> fleetCards,
                      List<Workload> workloads, List<Calibration> calibrations, Bands bands) {
    /** A catalog without band data: estimates carry no margin. */
    public Catalog(Map<String, Gpu> gpus, Map<String, Model> models, Map<String, Integer> fleetCards,
                   List<Workload> workloads, List<Calibration> calibrations) {
        this(gpus, models, fleetCards, workloads, calibrations, Bands.NONE);
    }

    public Catalog {
        if (bands == null) {
            bands = Bands.NONE;
        }
        calibrations = List.copyOf(calibrations);
        gpus = Collections.unmodifiableMap(new LinkedHashMap<>(gpus));
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        fleetCards = Collections.unmodifiableMap(new LinkedHashMap<>(fleetCards));
        workloads = List.copyOf(workloads);
    }

    public Gpu gpu(String id) {
        return gpus.get(id);
    }

    public Model model(String id) {
        return models.get(id);
    }

    /** The measured correction for a model (its own or its family's), or null. */
    public Calibration calibration(Model m) {
        return Calibration.forModel(calibrations, m);
    }
}
