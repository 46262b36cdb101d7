package dev.vramplan.catalog;

import dev.vramplan.input.Fields;
import dev.vramplan.input.Suggest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads one entry of {@code calibration.yaml}: an activation factor for a model or a family. */
final class CalibrationReader {
    private CalibrationReader() {}

    static Calibration calibration(Fields f, Map<String, Model> models, Set<String> declaredModels) {
        int before = f.problems().size();
        boolean byModel = f.has("model");
        String key = byModel ? f.string("model") : f.string("family");
        if (byModel && key != null && !declaredModels.contains(key)) {
            f.problem("model", "unknown model \"" + key + "\"." + Suggest.didYouMean(key, models.keySet()));
        }
        if (!byModel
                && key != null
                && models.values().stream().noneMatch(m -> m.family().equals(key))
                && !models.isEmpty()) {
            Set<String> families = new TreeSet<>();
            models.values().forEach(m -> families.add(m.family()));
            f.problem("family", "no model has family \"" + key + "\"." + Suggest.didYouMean(key, families));
        }
        Double factor = f.number("activation_factor", 0.01, 100, null);
        List<String> points = f.strings("points", false);
        String source = f.string("source", "");
        if (f.problems().size() > before || key == null || factor == null) {
            return null;
        }
        return new Calibration(byModel ? "model" : "family", key, factor, points, source);
    }
}
