package dev.vramplan.estimate;

import dev.vramplan.catalog.YoloSpec;
import java.util.List;

/**
 * Walks a YOLO model (YOLOv5, YOLOv8, YOLO11) layer by layer as Ultralytics' {@code parse_model} builds it from
 * the model YAML, recording parameters and tensors into a {@link VisionNet}.
 */
final class YoloWalker {
    private final VisionNet net = new VisionNet();

    private YoloWalker() {}

    static int makeDivisible(double x, int divisor) {
        return (int) (Math.ceil(x / divisor) * divisor);
    }

    /** Walks a YOLO model at the given square input side. */
    static VisionNet walk(YoloSpec spec, int resolution) {
        YoloWalker w = new YoloWalker();
        w.walkYolo(spec, resolution);
        return w.net;
    }

    private void walkYolo(YoloSpec spec, int resolution) {
        List<YoloSpec.Layer> layers = spec.layers();
        int count = layers.size();
        int[] ch = new int[count];
        int[] side = new int[count];
        double[] out = new double[count];
        int[] lastUse = new int[count];
        for (int i = 0; i < count; i++) {
            lastUse[i] = i;
            for (int f : layers.get(i).from()) {
                int src = f < 0 ? i + f : f;
                if (src >= 0) {
                    lastUse[src] = Math.max(lastUse[src], i);
                }
            }
        }
        boolean v5 = spec.family().equals("yolov5");
        int nc = spec.numClasses();
        int noV5 = spec.anchors() * (nc + 5);
        net.tensor(3.0 * resolution * resolution, true); // the input image, kept by the first conv
        net.produced = 0;
        double alive = 3.0 * resolution * resolution;
        for (int i = 0; i < count; i++) {
            YoloSpec.Layer l = layers.get(i);
            int f0 = l.from().get(0) < 0 ? i + l.from().get(0) : l.from().get(0);
            int c1 = f0 < 0 ? 3 : ch[f0];
            int s1 = f0 < 0 ? resolution : side[f0];
            int n = l.repeats() > 1 ? Math.max((int) Math.rint(l.repeats() * spec.depthMultiple()), 1) : l.repeats();
            List<Object> a = l.args();
            net.produced = 0;
            int c2 = c1;
            int s2 = s1;
            switch (l.module()) {
                case "Conv", "C3", "C2f", "C3k2", "SPPF", "C2PSA" -> {
                    int raw = intArg(a, 0, c1);
                    c2 = raw;
                    if (!(v5 && raw == noV5) && raw != nc) {
                        double capped = spec.maxChannels() > 0 ? Math.min(raw, spec.maxChannels()) : raw;
                        c2 = makeDivisible(capped * spec.widthMultiple(), 8);
                    }
                    switch (l.module()) {
                        case "Conv" -> {
                            int k = intArg(a, 1, 1);
                            int s = intArg(a, 2, 1);
                            s2 = net.conv(c1, c2, k, s, s1);
                            for (int r = 1; r < n; r++) {
                                s2 = net.conv(c2, c2, k, s, s2);
                            }
                        }
                        case "C3" -> s2 = c3(c1, c2, n, boolArg(a, 1, true), 0.5, 1, s1, false);
                        case "C2f" -> s2 = c2f(c1, c2, n, boolArg(a, 1, false), 0.5, false, false, s1);
                        case "C3k2" -> {
                            boolean c3k = boolArg(a, 1, false)
                                    || "mlx".contains(spec.scale())
                                            && !spec.scale().isEmpty();
                            double e = doubleArg(a, 2, 0.5);
                            s2 = c2f(c1, c2, n, true, e, true, c3k, s1);
                        }
                        case "SPPF" -> s2 = sppf(c1, c2, intArg(a, 1, 5), s1);
                        case "C2PSA" -> s2 = c2psa(c1, c2, n, s1);
                        default -> throw new IllegalStateException();
                    }
                }
                case "nn.Upsample" -> {
                    int factor = intArg(a, 1, 2);
                    s2 = s1 * factor;
                    double e = (double) c1 * s2 * s2;
                    net.largestElements = Math.max(net.largestElements, e);
                    net.produced += e; // read only by the concatenation: not kept
                }
                case "Concat" -> {
                    c2 = 0;
                    for (int f : l.from()) {
                        c2 += ch[f < 0 ? i + f : f];
                    }
                    net.tensor((double) c2 * s1 * s1, true);
                }
                case "Detect" -> {
                    s2 = s1;
                    for (int f : l.from()) {
                        int src = f < 0 ? i + f : f;
                        detectLevel(
                                v5,
                                ch[src],
                                side[src],
                                nc,
                                spec.anchors(),
                                ch[
                                        l.from().get(0) < 0
                                                ? i + l.from().get(0)
                                                : l.from().get(0)],
                                spec.family().equals("yolo11"));
                    }
                    if (!v5) {
                        net.vector(16); // DFL: a fixed 16→1 conv, still a parameter
                    }
                }
                default -> throw new IllegalArgumentException("unknown module " + l.module());
            }
            ch[i] = c2;
            side[i] = s2;
            out[i] = (double) c2 * s2 * s2;
            // inference: what earlier layers still hold, plus what this layer makes
            net.inferencePeakElements = Math.max(net.inferencePeakElements, alive + net.produced);
            alive += out[i];
            for (int j = 0; j <= i; j++) {
                if (lastUse[j] == i && j != i) {
                    alive -= out[j];
                }
            }
            if (lastUse[i] == i && i != count - 1) {
                alive -= out[i];
            }
        }
    }

    private int bottleneck(int c1, int c2, boolean shortcut, int k1, int k2, double e, int side) {
        int c = (int) (c2 * e);
        net.conv(c1, c, k1, 1, side);
        net.conv(c, c2, k2, 1, side);
        if (shortcut && c1 == c2) {
            net.tensor((double) c2 * side * side, true); // x + f(x): a new tensor, read by the next conv
        }
        return side;
    }

    /** C3 (CSP bottleneck with 3 convolutions); {@code k3} makes it C3k (3×3 bottlenecks). */
    private int c3(int c1, int c2, int n, boolean shortcut, double e, int g, int side, boolean k3) {
        int c = (int) (c2 * e);
        net.conv(c1, c, 1, 1, side);
        net.conv(c1, c, 1, 1, side);
        for (int r = 0; r < n; r++) {
            bottleneck(c, c, shortcut, k3 ? 3 : 1, 3, 1.0, side);
        }
        net.tensor(2.0 * c * side * side, true); // concatenation
        net.conv(2 * c, c2, 1, 1, side);
        return side;
    }

    /** C2f (two-conv CSP with n bottlenecks); as C3k2 its bottlenecks are Bottleneck(e=0.5) or C3k. */
    private int c2f(int c1, int c2, int n, boolean shortcut, double e, boolean c3k2, boolean c3k, int side) {
        int c = (int) (c2 * e);
        net.conv(c1, 2 * c, 1, 1, side);
        for (int r = 0; r < n; r++) {
            if (c3k2 && c3k) {
                c3(c, c, 2, shortcut, 0.5, 1, side, true);
            } else if (c3k2) {
                bottleneck(c, c, shortcut, 3, 3, 0.5, side);
            } else {
                bottleneck(c, c, shortcut, 3, 3, 1.0, side);
            }
        }
        net.tensor((double) (2 + n) * c * side * side, true); // concatenation
        net.conv((2 + n) * c, c2, 1, 1, side);
        return side;
    }

    private int sppf(int c1, int c2, int k, int side) {
        int c = c1 / 2;
        net.conv(c1, c, 1, 1, side);
        double map = (double) c * side * side;
        for (int r = 0; r < 3; r++) {
            net.tensor(map, true); // pooled map (read by the next pool or the concatenation)
            net.savedIndexElements += map; // max_pool2d keeps int64 indices
        }
        net.tensor(4 * map, true); // concatenation
        net.conv(4 * c, c2, 1, 1, side);
        return side;
    }

    private int c2psa(int c1, int c2, int n, int side) {
        int c = (int) (c1 * 0.5);
        net.conv(c1, 2 * c, 1, 1, side);
        for (int r = 0; r < n; r++) {
            int heads = Math.max(1, c / 64);
            int headDim = c / heads;
            int keyDim = (int) (headDim * 0.5);
            int h = c + keyDim * heads * 2;
            double hw = (double) side * side;
            net.conv(c, h, 1, 1, 1, false, side); // qkv
            net.tensor(heads * hw * hw, true); // attention scores (softmax output kept)
            net.tensor(c * hw, true); // attention output
            net.conv(c, c, 3, 1, c, false, side); // positional encoding (depthwise) on v
            net.tensor(c * hw, true); // output + positional encoding
            net.conv(c, c, 1, 1, 1, false, side); // proj
            net.tensor(c * hw, true); // residual
            net.conv(c, 2 * c, 1, 1, side); // ffn
            net.conv(2 * c, c, 1, 1, 1, false, side);
            net.tensor(c * hw, true); // residual
        }
        net.tensor(2.0 * c * side * side, true); // concatenation
        net.conv(2 * c, c1, 1, 1, side);
        return side;
    }

    private void detectLevel(boolean v5, int x, int side, int nc, int anchors, int ch0, boolean v11) {
        net.gridCells += (double) side * side;
        if (v5) {
            net.conv2d(x, anchors * (nc + 5), 1, 1, 1, true, side);
            net.outputElements += (double) anchors * (nc + 5) * side * side;
            return;
        }
        int regMax = 16;
        int c2 = Math.max(Math.max(16, ch0 / 4), regMax * 4);
        int c3 = Math.max(ch0, Math.min(nc, 100));
        net.conv(x, c2, 3, 1, side);
        net.conv(c2, c2, 3, 1, side);
        net.conv2d(c2, 4 * regMax, 1, 1, 1, true, side);
        if (v11) {
            net.conv(x, x, 3, 1, x, true, side); // depthwise
            net.conv(x, c3, 1, 1, side);
            net.conv(c3, c3, 3, 1, c3, true, side);
            net.conv(c3, c3, 1, 1, side);
        } else {
            net.conv(x, c3, 3, 1, side);
            net.conv(c3, c3, 3, 1, side);
        }
        net.conv2d(c3, nc, 1, 1, 1, true, side);
        net.outputElements += (double) (4 * regMax + nc) * side * side;
    }

    private static int intArg(List<Object> a, int i, int fallback) {
        if (i >= a.size() || !(a.get(i) instanceof Number n)) {
            return fallback;
        }
        return n.intValue();
    }

    private static double doubleArg(List<Object> a, int i, double fallback) {
        if (i >= a.size() || !(a.get(i) instanceof Number n)) {
            return fallback;
        }
        return n.doubleValue();
    }

    private static boolean boolArg(List<Object> a, int i, boolean fallback) {
        if (i >= a.size() || !(a.get(i) instanceof Boolean b)) {
            return fallback;
        }
        return b;
    }
}
