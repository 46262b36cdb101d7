package dev.vramplan.catalog;

import dev.vramplan.input.Named;

/**
 * A transformer described by its configuration (the fields of a Hugging Face {@code config.json}).
 *
 * @param kind          decoder (causal LM with an lm_head), encoder (BERT), or vision (ViT)
 * @param headDim       width of one attention head (hidden / heads unless the config says otherwise)
 * @param intermediate  width of one MLP matrix
 * @param normsPerLayer norms inside one block (2 for pre-norm blocks, 1 for parallel blocks, 4 for Gemma 2)
 */
public record TransformerSpec(
        Kind kind,
        int layers,
        int hidden,
        int heads,
        int kvHeads,
        int headDim,
        int intermediate,
        int vocab,
        int maxPositions,
        boolean gatedMlp,
        String activation,
        boolean rmsNorm,
        int normsPerLayer,
        boolean qkvBias,
        boolean outBias,
        boolean mlpBias,
        boolean tiedEmbeddings,
        boolean lmHeadBias,
        String position,
        int typeVocab,
        boolean embeddingNorm,
        boolean pooler,
        boolean finalNorm,
        double dropout,
        int imageSize,
        int patch,
        int channels,
        int numClasses)
        implements Architecture {
    public enum Kind implements Named {
        DECODER("decoder"),
        ENCODER("encoder"),
        VISION("vision");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    public TransformerSpec {
        if (layers <= 0 || hidden <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || intermediate <= 0) {
            throw new IllegalArgumentException("layers, widths and heads must be positive");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads must be a multiple of kv_heads");
        }
    }

    @Override
    public boolean vision() {
        return kind == Kind.VISION;
    }

    /** Tokens one sample carries: the sequence, or for ViT the patches plus the class token. */
    public int tokensForImage(int resolutionPx) {
        int side = resolutionPx / patch;
        return side * side + 1;
    }
}
