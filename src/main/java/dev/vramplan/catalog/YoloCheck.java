package dev.vramplan.catalog;

import java.util.List;
import java.util.Set;

/** Structural checks of a YOLO layer list: known modules, and every {@code from} pointing at an earlier layer. */
final class YoloCheck {
    static final Set<String> MODULES = Set.of("Conv", "C3", "C2f", "C3k2", "SPPF", "C2PSA", "nn.Upsample", "Concat", "Detect");

    private YoloCheck() {
    }

    static void check(YoloSpec spec) {
        List<YoloSpec.Layer> layers = spec.layers();
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("the layer list is empty");
        }
        for (int i = 0; i < layers.size(); i++) {
            YoloSpec.Layer l = layers.get(i);
            if (!MODULES.contains(l.module())) {
                throw new IllegalArgumentException("layer " + i + ": unknown module \"" + l.module() + "\"."
                        + Suggest.didYouMean(l.module(), MODULES) + " Known: " + String.join(", ", new java.util.TreeSet<>(MODULES)));
            }
            for (int f : l.from()) {
                int abs = f < 0 ? i + f : f;
                if (abs < -1 || abs >= i || (i == 0 && f != -1)) {
                    throw new IllegalArgumentException("layer " + i + ": from " + f + " does not name an earlier layer");
                }
            }
            if (!l.module().equals("Concat") && !l.module().equals("Detect") && l.from().size() != 1) {
                throw new IllegalArgumentException("layer " + i + ": " + l.module() + " takes exactly one input");
            }
        }
        if (!layers.get(layers.size() - 1).module().equals("Detect")) {
            throw new IllegalArgumentException("the last layer must be Detect");
        }
    }
}
