package dev.vramplan.catalog;

import java.util.List;

/**
 * A correction learned from measurements (catalog/calibration.yaml, written by {@code vramplan calibrate}):
 * the estimator's activation and input/output memory — where the physics has the least certain constants —
 * is multiplied by {@code activationFactor} for one model or one family.
 *
 * @param scope  "model" or "family"
 * @param key    the model id or family name
 * @param points ids of the measurements it was fitted to
 */
public record Calibration(String scope, String key, double activationFactor, List<String> points, String source) {
    public Calibration {
        points = List.copyOf(points);
        if (!(activationFactor > 0) || activationFactor > 100) {
            throw new IllegalArgumentException("activation_factor must be above 0 and at most 100");
        }
    }

    /** The calibration that applies to a model: its own, else its family's; null when none. */
    public static Calibration forModel(List<Calibration> all, Model m) {
        Calibration family = null;
        for (Calibration c : all) {
            if (c.scope().equals("model") && c.key().equals(m.id())) {
                return c;
            }
            if (c.scope().equals("family") && c.key().equals(m.family())) {
                family = c;
            }
        }
        return family;
    }
}
