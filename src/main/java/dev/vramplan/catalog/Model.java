package dev.vramplan.catalog;

import java.util.Objects;

/**
 * A model: its architecture and the parameter count its authors published (checked against the
 * count derived from the architecture).
 */
public record Model(String id, String name, String family, long publishedParams, Architecture architecture) {
    public Model {
        Objects.requireNonNull(id);
        Objects.requireNonNull(architecture);
    }

    public boolean vision() {
        return architecture.vision();
    }

    /** YOLO detectors: resolutions must be multiples of their largest stride. */
    public boolean detector() {
        return architecture instanceof YoloSpec;
    }

    /** Convolutional nets here use BatchNorm, whose statistics need a reasonable batch in training. */
    public boolean batchNorm() {
        return architecture instanceof YoloSpec || architecture instanceof CnnSpec;
    }

    /** The largest downsampling factor: 32 for the detectors and CNNs here, the patch size for ViT, 1 for text. */
    public int strideOrPatch() {
        if (architecture instanceof TransformerSpec t) {
            return t.vision() ? t.patch() : 1;
        }
        return 32;
    }

    /** Decoder-only language models (with a KV cache when serving). */
    public boolean decoder() {
        return architecture instanceof TransformerSpec t && t.kind() == TransformerSpec.Kind.DECODER;
    }
}
