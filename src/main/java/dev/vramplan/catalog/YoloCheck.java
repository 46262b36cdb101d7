package dev.vramplan.catalog;

import dev.vramplan.input.Suggest;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Structural checks of a YOLO layer list: known modules, and every {@code from} pointing at an earlier layer. */
public final class YoloCheck {
    static final Set<String> CHANNELS = Set.of("Conv", "C3", "C2f", "C3k2", "SPPF", "C2PSA");
    static final Set<String> MODULES =
            Set.of("Conv", "C3", "C2f", "C3k2", "SPPF", "C2PSA", "nn.Upsample", "Concat", "Detect");

    private YoloCheck() {}

    /** A problem with one layer (index into the layer list, -1 for the whole model). */
    public static final class LayerProblem extends IllegalArgumentException {
        public final int layer;

        LayerProblem(int layer, String message) {
            super(message);
            this.layer = layer;
        }
    }

    public static void check(YoloSpec spec) {
        List<YoloSpec.Layer> layers = spec.layers();
        if (layers.isEmpty()) {
            throw new LayerProblem(-1, "the layer list is empty");
        }
        for (int i = 0; i < layers.size(); i++) {
            YoloSpec.Layer l = layers.get(i);
            if (!MODULES.contains(l.module())) {
                throw new LayerProblem(
                        i,
                        "layer " + i + ": unknown module \"" + l.module() + "\"."
                                + Suggest.didYouMean(l.module(), MODULES) + " Known: "
                                + String.join(", ", new TreeSet<>(MODULES)));
            }
            for (int f : l.from()) {
                int abs = f < 0 ? i + f : f;
                if (abs < -1 || abs >= i || (i == 0 && f != -1)) {
                    throw new LayerProblem(i, "layer " + i + ": from " + f + " does not name an earlier layer");
                }
            }
            if (CHANNELS.contains(l.module())) {
                Object c = l.args().isEmpty() ? null : l.args().get(0);
                boolean ok =
                        c instanceof Number n && n.doubleValue() >= 1 && n.doubleValue() <= 65536 || "nc".equals(c);
                if (!ok) {
                    throw new LayerProblem(
                            i,
                            "layer " + i + ": " + l.module()
                                    + " needs its output channels (1 to 65536) as the first argument, found " + c);
                }
            }
            if (l.module().equals("Conv")) {
                Object k = l.args().size() > 1 ? l.args().get(1) : 1L;
                Object s = l.args().size() > 2 ? l.args().get(2) : 1L;
                if (!(k instanceof Number kn
                                && kn.intValue() >= 1
                                && kn.intValue() <= 15
                                && kn.doubleValue() == kn.intValue())
                        || !(s instanceof Number sn
                                && sn.intValue() >= 1
                                && sn.intValue() <= 8
                                && sn.doubleValue() == sn.intValue())) {
                    throw new LayerProblem(
                            i,
                            "layer " + i + ": Conv needs a kernel (1 to 15) and a stride (1 to 8), found " + k + " and "
                                    + s);
                }
            }
            if (!l.module().equals("Concat")
                    && !l.module().equals("Detect")
                    && l.from().size() != 1) {
                throw new LayerProblem(i, "layer " + i + ": " + l.module() + " takes exactly one input");
            }
        }
        if (!layers.get(layers.size() - 1).module().equals("Detect")) {
            throw new LayerProblem(layers.size() - 1, "the last layer must be Detect");
        }
    }
}
