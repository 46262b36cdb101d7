package dev.vramplan.catalog;

/** How a model is built: the estimator derives parameters and activations from this, never from memory numbers. */
public sealed interface Architecture permits TransformerSpec, YoloSpec, CnnSpec {
    /** Vision models take images (resolution); transformers over text take sequences. */
    boolean vision();
}
