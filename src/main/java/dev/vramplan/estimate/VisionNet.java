package dev.vramplan.estimate;

import dev.vramplan.catalog.Architecture;
import dev.vramplan.catalog.CnnSpec;
import dev.vramplan.catalog.YoloSpec;

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
    /** Detectors: grid cells over the Detect levels, per image (Σ side², the anchor points of YOLOv8/YOLO11's assigner). */
    public double gridCells;

    double produced; // elements produced inside the current layer (inference)

    VisionNet() {}

    /** ceil(side / stride): a k×k conv with padding k/2 (or the 6×6 pad-2 stem) at stride s. */
    static int down(int side, int stride) {
        return (side + stride - 1) / stride;
    }

    void tensor(double elements, boolean kept) {
        if (kept) {
            savedElements += elements;
        }
        largestElements = Math.max(largestElements, elements);
        produced += elements;
    }

    void weight(long rows, long cols) {
        params += rows * cols;
        matrixParams += rows * cols;
        factoredElements += rows + cols;
    }

    void vector(long n) {
        params += n;
        factoredElements += n;
    }

    /** Conv2d(c1, c2, k, s, groups, bias) alone; returns the output side. */
    int conv2d(int c1, int c2, int k, int s, int g, boolean bias, int side) {
        weight(c2, (long) (c1 / g) * k * k);
        if (bias) {
            vector(c2);
        }
        int out = down(side, s);
        tensor((double) c2 * out * out, true);
        return out;
    }

    /** Ultralytics/torchvision Conv: Conv2d without bias, BatchNorm2d, optional activation. */
    int conv(int c1, int c2, int k, int s, int g, boolean act, int side) {
        int out = conv2d(c1, c2, k, s, g, false, side);
        vector(2L * c2); // BatchNorm weight and bias
        double n = (double) c2 * out * out;
        tensor(n, true); // BatchNorm output (kept by the activation or next conv)
        if (act) {
            tensor(n, true); // activation output
        }
        produced -= n; // inference: BN is folded into the conv
        return out;
    }

    int conv(int c1, int c2, int k, int s, int side) {
        return conv(c1, c2, k, s, 1, true, side);
    }

    /** Walks a YOLO model at the given square input side. */
    public static VisionNet yolo(YoloSpec spec, int resolution) {
        return YoloWalker.walk(spec, resolution);
    }

    /** Walks a torchvision classifier at the given square input side. */
    public static VisionNet cnn(CnnSpec spec, int resolution) {
        return TorchvisionWalker.walk(spec, resolution);
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
