package dev.vramplan.catalog;

import java.util.List;

/**
 * A classification CNN as torchvision builds it.
 * kind resnet: {@code block} basic|bottleneck, {@code stages} blocks per stage, {@code widths} per stage.
 * kind mbconv (EfficientNet, MobileNetV3): a stem conv, one row per inverted-residual block, a head conv, a classifier.
 */
public record CnnSpec(
        String kind,
        String block,
        List<Integer> stages,
        List<Integer> widths,
        int stem,
        String activation,
        List<MbBlock> blocks,
        int head,
        List<Integer> classifier,
        int numClasses)
        implements Architecture {
    /** One inverted-residual block: kernel, expanded and output channels, squeeze-excitation width (0: none). */
    public record MbBlock(int kernel, int expanded, int out, int se, String activation, int stride) {}

    public CnnSpec {
        stages = List.copyOf(stages);
        widths = List.copyOf(widths);
        blocks = List.copyOf(blocks);
        classifier = List.copyOf(classifier);
    }

    @Override
    public boolean vision() {
        return true;
    }
}
