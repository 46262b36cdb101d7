package dev.vramplan.estimate;

import dev.vramplan.catalog.CnnSpec;

/**
 * Walks a torchvision classifier (ResNet, EfficientNet, MobileNetV3) block by block as torchvision's model code
 * builds it, recording parameters and tensors into a {@link VisionNet}.
 */
final class TorchvisionWalker {
    private final VisionNet net = new VisionNet();

    private TorchvisionWalker() {}

    /** Walks a torchvision classifier at the given square input side. */
    static VisionNet walk(CnnSpec spec, int resolution) {
        TorchvisionWalker w = new TorchvisionWalker();
        w.net.tensor(3.0 * resolution * resolution, true);
        if (spec.kind().equals("resnet")) {
            w.resnet(spec, resolution);
        } else {
            w.mbconv(spec, resolution);
        }
        w.net.inferencePeakElements = Math.max(w.net.inferencePeakElements, w.net.largestElements * 3);
        return w.net;
    }

    /**
     * torchvision's ResNet (torchvision/models/resnet.py, v0.15–0.20: {@code self.relu = nn.ReLU(inplace=True)}, and
     * Bottleneck/BasicBlock.forward ends {@code out += identity; out = self.relu(out)}). An in-place ReLU overwrites the
     * BatchNorm output and keeps that one tensor as its result (ReLU's backward reads its output), and the residual
     * sum is written into the last BatchNorm's output: a conv-BN-ReLU keeps two maps, not three, and a block's tail
     * keeps the last conv's output and the BatchNorm output the sum and the ReLU were written into. The downsample
     * branch's BatchNorm output is read only by the in-place sum, which keeps nothing.
     */
    private void resnet(CnnSpec spec, int resolution) {
        int side = convBn(3, 64, 7, 2, resolution, true);
        side = VisionNet.down(side, 2); // 3×3 max-pool, stride 2
        net.tensor(64.0 * side * side, true);
        net.savedIndexElements += 64.0 * side * side;
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
                    convBn(in, w, 1, 1, side, true);
                    s2 = convBn(w, w, 3, stride, side, true);
                    convBn(w, out, 1, 1, s2, true); // its BN output becomes the sum, then the ReLU's result
                } else {
                    s2 = convBn(in, w, 3, stride, side, true);
                    convBn(w, out, 3, 1, s2, true);
                }
                if (stride != 1 || in != out) {
                    convBn(in, out, 1, stride, side, false);
                }
                in = out;
                side = s2;
            }
        }
        net.tensor(in, true); // global average pool
        net.weight(spec.numClasses(), in);
        net.vector(spec.numClasses());
        net.outputElements = spec.numClasses();
    }

    /**
     * Conv2d without bias and BatchNorm2d, then whatever runs in place on the BN output: the conv output is kept (BN's
     * input); the BN output is kept when an in-place ReLU keeps it as its result ({@code outputKept}).
     */
    private int convBn(int c1, int c2, int k, int s, int side, boolean outputKept) {
        int out = net.conv2d(c1, c2, k, s, 1, false, side);
        net.vector(2L * c2); // BatchNorm weight and bias
        double n = (double) c2 * out * out;
        net.tensor(n, outputKept);
        net.produced -= n; // inference: BN is folded into the conv
        return out;
    }

    private void mbconv(CnnSpec spec, int resolution) {
        int side = net.conv(3, spec.stem(), 3, 2, resolution);
        int in = spec.stem();
        for (CnnSpec.MbBlock b : spec.blocks()) {
            int e = b.expanded();
            if (e != in) {
                net.conv(in, e, 1, 1, side);
            }
            int s2 = net.conv(e, e, b.kernel(), b.stride(), e, true, side);
            if (b.se() > 0) {
                net.tensor(e, true); // squeeze (pool)
                net.weight(b.se(), e);
                net.vector(b.se());
                net.tensor(b.se(), true);
                net.weight(e, b.se());
                net.vector(e);
                net.tensor(e, true); // gate
                net.tensor((double) e * s2 * s2, true); // scaled map (the product keeps both factors)
            }
            net.conv(e, b.out(), 1, 1, 1, false, s2);
            if (b.stride() == 1 && in == b.out()) {
                net.tensor((double) b.out() * s2 * s2, true); // residual
            }
            in = b.out();
            side = s2;
        }
        net.conv(in, spec.head(), 1, 1, side);
        net.tensor(spec.head(), true); // global average pool
        int prev = spec.head();
        for (int width : spec.classifier()) {
            net.weight(width, prev);
            net.vector(width);
            net.tensor(width, true);
            prev = width;
        }
        net.outputElements = prev;
    }
}
