package dev.vramplan.estimate;

import dev.vramplan.catalog.CnnSpec;
import dev.vramplan.catalog.YoloSpec;

import java.util.List;
import dev.vramplan.catalog.Architecture;

/**
 * A convolutional network walked at one input resolution, op by op, the way PyTorch runs it:
 * parameters as {@code sum(p.numel() for p in model.parameters())} counts them, the tensors autograd keeps
 * for backward (per sample), and the largest set of tensors alive at once in a forward without autograd
 * (per sample). Everything per sample scales with resolution², which is what makes image size the
 * strongest lever on detector training memory.
 *
 * <p>What autograd keeps: a convolution keeps its input, BatchNorm its input, SiLU/ReLU/Hardswish their
 * input, max-pooling its input and int64 indices, a product both factors, nearest upsampling, concatenation
 * and addition nothing. Each op's output is counted once, as kept, when some op that keeps its input reads
 * it (in these networks nearly every tensor is read by a convolution or a norm).
 */
public final class VisionNet {
    /** Parameters, as PyTorch counts them. */
    public long params;
    /** Parameters of convolution and linear weights (stored in 8/4 bits when quantized). */
    public long matrixParams;
    /** Sum over weight tensors of (rows + columns) plus vector parameters: Adafactor's factored state. */
    public double factoredElements;
    /** Activation elements kept for backward, per sample. */
    public double savedElements;
    /** int64 elements kept for backward (max-pool indices), per sample. */
    public double savedIndexElements;
    /** Largest single activation, per sample. */
    public double largestElements;
    /** Peak of tensors alive at once in inference (BatchNorm folded into the conv), per sample. */
    public double inferencePeakElements;
    /** Output elements per sample (detection maps or logits). */
    public double outputElements;

    private double produced;   // elements produced inside the current layer (inference)

    private VisionNet() {
    }

    /** ceil(side / stride): a k×k conv with padding k/2 (or the 6×6 pad-2 stem) at stride s. */
    private static int down(int side, int stride) {
        return (side + stride - 1) / stride;
    }

    private void tensor(double elements, boolean kept) {
        if (kept) {
            savedElements += elements;
        }
        largestElements = Math.max(largestElements, elements);
        produced += elements;
    }

    private void weight(long rows, long cols) {
        params += rows * cols;
        matrixParams += rows * cols;
        factoredElements += rows + cols;
    }

    private void vector(long n) {
        params += n;
        factoredElements += n;
    }

    /** Conv2d(c1, c2, k, s, groups, bias) alone; returns the output side. */
    private int conv2d(int c1, int c2, int k, int s, int g, boolean bias, int side) {
        weight(c2, (long) (c1 / g) * k * k);
        if (bias) {
            vector(c2);
        }
        int out = down(side, s);
        tensor((double) c2 * out * out, true);
        return out;
    }

    /** Ultralytics/torchvision Conv: Conv2d without bias, BatchNorm2d, optional activation. */
    private int conv(int c1, int c2, int k, int s, int g, boolean act, int side) {
        int out = conv2d(c1, c2, k, s, g, false, side);
        vector(2L * c2);                                   // BatchNorm weight and bias
        double n = (double) c2 * out * out;
        tensor(n, true);                                   // BatchNorm output (kept by the activation or next conv)
        if (act) {
            tensor(n, true);                               // activation output
        }
        produced -= n;                                     // inference: BN is folded into the conv
        return out;
    }

    private int conv(int c1, int c2, int k, int s, int side) {
        return conv(c1, c2, k, s, 1, true, side);
    }

    // ---------------------------------------------------------------- YOLO (Ultralytics parse_model)

    static int makeDivisible(double x, int divisor) {
        return (int) (Math.ceil(x / divisor) * divisor);
    }

    /** Walks a YOLO model at the given square input side. */
    public static VisionNet yolo(YoloSpec spec, int resolution) {
        VisionNet n = new VisionNet();
        n.walkYolo(spec, resolution);
        return n;
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
        tensor(3.0 * resolution * resolution, true);      // the input image, kept by the first conv
        produced = 0;
        double alive = 3.0 * resolution * resolution;
        for (int i = 0; i < count; i++) {
            YoloSpec.Layer l = layers.get(i);
            int f0 = l.from().get(0) < 0 ? i + l.from().get(0) : l.from().get(0);
            int c1 = f0 < 0 ? 3 : ch[f0];
            int s1 = f0 < 0 ? resolution : side[f0];
            int n = l.repeats() > 1 ? Math.max((int) Math.rint(l.repeats() * spec.depthMultiple()), 1) : l.repeats();
            List<Object> a = l.args();
            produced = 0;
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
                            s2 = conv(c1, c2, k, s, s1);
                            for (int r = 1; r < n; r++) {
                                s2 = conv(c2, c2, k, s, s2);
                            }
                        }
                        case "C3" -> s2 = c3(c1, c2, n, boolArg(a, 1, true), 0.5, 1, s1, false);
                        case "C2f" -> s2 = c2f(c1, c2, n, boolArg(a, 1, false), 0.5, false, false, s1);
                        case "C3k2" -> {
                            boolean c3k = boolArg(a, 1, false) || "mlx".contains(spec.scale()) && !spec.scale().isEmpty();
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
                    largestElements = Math.max(largestElements, e);
                    produced += e;                          // read only by the concatenation: not kept
                }
                case "Concat" -> {
                    c2 = 0;
                    for (int f : l.from()) {
                        c2 += ch[f < 0 ? i + f : f];
                    }
                    tensor((double) c2 * s1 * s1, true);
                }
                case "Detect" -> {
                    s2 = s1;
                    for (int f : l.from()) {
                        int src = f < 0 ? i + f : f;
                        detectLevel(v5, ch[src], side[src], nc, spec.anchors(), ch[l.from().get(0) < 0 ? i + l.from().get(0) : l.from().get(0)],
                                spec.family().equals("yolo11"));
                    }
                    if (!v5) {
                        vector(16);                         // DFL: a fixed 16→1 conv, still a parameter
                    }
                }
                default -> throw new IllegalArgumentException("unknown module " + l.module());
            }
            ch[i] = c2;
            side[i] = s2;
            out[i] = (double) c2 * s2 * s2;
            // inference: what earlier layers still hold, plus what this layer makes
            inferencePeakElements = Math.max(inferencePeakElements, alive + produced);
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
        conv(c1, c, k1, 1, side);
        conv(c, c2, k2, 1, side);
        if (shortcut && c1 == c2) {
            tensor((double) c2 * side * side, true);     // x + f(x): a new tensor, read by the next conv
        }
        return side;
    }

    /** C3 (CSP bottleneck with 3 convolutions); {@code k3} makes it C3k (3×3 bottlenecks). */
    private int c3(int c1, int c2, int n, boolean shortcut, double e, int g, int side, boolean k3) {
        int c = (int) (c2 * e);
        conv(c1, c, 1, 1, side);
        conv(c1, c, 1, 1, side);
        for (int r = 0; r < n; r++) {
            bottleneck(c, c, shortcut, k3 ? 3 : 1, 3, 1.0, side);
        }
        tensor(2.0 * c * side * side, true);              // concatenation
        conv(2 * c, c2, 1, 1, side);
        return side;
    }

    /** C2f (two-conv CSP with n bottlenecks); as C3k2 its bottlenecks are Bottleneck(e=0.5) or C3k. */
    private int c2f(int c1, int c2, int n, boolean shortcut, double e, boolean c3k2, boolean c3k, int side) {
        int c = (int) (c2 * e);
        conv(c1, 2 * c, 1, 1, side);
        for (int r = 0; r < n; r++) {
            if (c3k2 && c3k) {
                c3(c, c, 2, shortcut, 0.5, 1, side, true);
            } else if (c3k2) {
                bottleneck(c, c, shortcut, 3, 3, 0.5, side);
            } else {
                bottleneck(c, c, shortcut, 3, 3, 1.0, side);
            }
        }
        tensor((double) (2 + n) * c * side * side, true); // concatenation
        conv((2 + n) * c, c2, 1, 1, side);
        return side;
    }

    private int sppf(int c1, int c2, int k, int side) {
        int c = c1 / 2;
        conv(c1, c, 1, 1, side);
        double map = (double) c * side * side;
        for (int r = 0; r < 3; r++) {
            tensor(map, true);                            // pooled map (read by the next pool or the concatenation)
            savedIndexElements += map;                    // max_pool2d keeps int64 indices
        }
        tensor(4 * map, true);                            // concatenation
        conv(4 * c, c2, 1, 1, side);
        return side;
    }

    private int c2psa(int c1, int c2, int n, int side) {
        int c = (int) (c1 * 0.5);
        conv(c1, 2 * c, 1, 1, side);
        for (int r = 0; r < n; r++) {
            int heads = Math.max(1, c / 64);
            int headDim = c / heads;
            int keyDim = (int) (headDim * 0.5);
            int h = c + keyDim * heads * 2;
            double hw = (double) side * side;
            conv(c, h, 1, 1, 1, false, side);              // qkv
            tensor(heads * hw * hw, true);                // attention scores (softmax output kept)
            tensor(c * hw, true);                         // attention output
            conv(c, c, 3, 1, c, false, side);             // positional encoding (depthwise) on v
            tensor(c * hw, true);                         // output + positional encoding
            conv(c, c, 1, 1, 1, false, side);             // proj
            tensor(c * hw, true);                         // residual
            conv(c, 2 * c, 1, 1, side);                   // ffn
            conv(2 * c, c, 1, 1, 1, false, side);
            tensor(c * hw, true);                         // residual
        }
        tensor(2.0 * c * side * side, true);              // concatenation
        conv(2 * c, c1, 1, 1, side);
        return side;
    }

    private void detectLevel(boolean v5, int x, int side, int nc, int anchors, int ch0, boolean v11) {
        if (v5) {
            conv2d(x, anchors * (nc + 5), 1, 1, 1, true, side);
            outputElements += (double) anchors * (nc + 5) * side * side;
            return;
        }
        int regMax = 16;
        int c2 = Math.max(Math.max(16, ch0 / 4), regMax * 4);
        int c3 = Math.max(ch0, Math.min(nc, 100));
        conv(x, c2, 3, 1, side);
        conv(c2, c2, 3, 1, side);
        conv2d(c2, 4 * regMax, 1, 1, 1, true, side);
        if (v11) {
            conv(x, x, 3, 1, x, true, side);              // depthwise
            conv(x, c3, 1, 1, side);
            conv(c3, c3, 3, 1, c3, true, side);
            conv(c3, c3, 1, 1, side);
        } else {
            conv(x, c3, 3, 1, side);
            conv(c3, c3, 3, 1, side);
        }
        conv2d(c3, nc, 1, 1, 1, true, side);
        outputElements += (double) (4 * regMax + nc) * side * side;
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

    // ---------------------------------------------------------------- torchvision CNNs

    /** Walks a torchvision classifier at the given square input side. */
    public static VisionNet cnn(CnnSpec spec, int resolution) {
        VisionNet n = new VisionNet();
        n.tensor(3.0 * resolution * resolution, true);
        if (spec.kind().equals("resnet")) {
            n.resnet(spec, resolution);
        } else {
            n.mbconv(spec, resolution);
        }
        n.inferencePeakElements = Math.max(n.inferencePeakElements, n.largestElements * 3);
        return n;
    }

    private void resnet(CnnSpec spec, int resolution) {
        int side = conv(3, 64, 7, 2, resolution);
        side = down(side, 2);                             // 3×3 max-pool, stride 2
        tensor(64.0 * side * side, true);
        savedIndexElements += 64.0 * side * side;
        int in = 64;
        boolean bottleneck = spec.block().equals("bottleneck");
        int expansion = bottleneck ? 4 : 1;
        for (int st = 0; st < spec.stages().size(); st++) {
            int w = spec.widths().get(st);
            for (int b = 0; b < spec.stages().get(st); b++) {
                int stride = (st > 0 && b == 0) ? 2 : 1;
                int out = w * expansion;
                int s2;
                if (bottleneck) {
                    conv(in, w, 1, 1, side);
                    s2 = conv(w, w, 3, stride, side);
                    conv(w, out, 1, 1, 1, false, s2);
                } else {
                    s2 = conv(in, w, 3, stride, side);
                    conv(w, out, 3, 1, 1, false, s2);
                }
                if (stride != 1 || in != out) {
                    conv(in, out, 1, stride, 1, false, side);
                }
                tensor((double) out * s2 * s2, true);    // residual sum
                tensor((double) out * s2 * s2, true);    // ReLU output
                in = out;
                side = s2;
            }
        }
        tensor(in, true);                                 // global average pool
        weight(spec.numClasses(), in);
        vector(spec.numClasses());
        outputElements = spec.numClasses();
    }

    private void mbconv(CnnSpec spec, int resolution) {
        int side = conv(3, spec.stem(), 3, 2, resolution);
        int in = spec.stem();
        for (CnnSpec.MbBlock b : spec.blocks()) {
            int e = b.expanded();
            if (e != in) {
                conv(in, e, 1, 1, side);
            }
            int s2 = conv(e, e, b.kernel(), b.stride(), e, true, side);
            if (b.se() > 0) {
                tensor(e, true);                          // squeeze (pool)
                weight(b.se(), e);
                vector(b.se());
                tensor(b.se(), true);
                weight(e, b.se());
                vector(e);
                tensor(e, true);                          // gate
                tensor((double) e * s2 * s2, true);       // scaled map (the product keeps both factors)
            }
            conv(e, b.out(), 1, 1, 1, false, s2);
            if (b.stride() == 1 && in == b.out()) {
                tensor((double) b.out() * s2 * s2, true); // residual
            }
            in = b.out();
            side = s2;
        }
        conv(in, spec.head(), 1, 1, side);
        tensor(spec.head(), true);                        // global average pool
        int prev = spec.head();
        for (int width : spec.classifier()) {
            weight(width, prev);
            vector(width);
            tensor(width, true);
            prev = width;
        }
        outputElements = prev;
    }

    /**
     * Parameters only. They do not depend on the input size, so the layers are walked at a small one (64 px, a
     * multiple of every stride) to keep the walk cheap.
     */
    public static long params(Architecture a) {
        if (a instanceof YoloSpec y) {
            return yolo(y, 64).params;
        }
        if (a instanceof CnnSpec c) {
            return cnn(c, 64).params;
        }
        throw new IllegalArgumentException("not a CNN");
    }
}
