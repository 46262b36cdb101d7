package dev.vramplan.estimate;

import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.TransformerSpec;

/**
 * LitGPT's LLaMA-Adapter ({@code finetune: adapter}) and LLaMA-Adapter v2 ({@code adapter-v2}): what they train and
 * what they keep for backward beyond a frozen base, read from Lightning-AI/litgpt {@code litgpt/adapter.py} and
 * {@code litgpt/adapter_v2.py} (commit a44b83d; the same code as lit-gpt commit 8641822, which the published
 * resource tables ran).
 *
 * <ul>
 * <li>adapter: {@code Config.adapter_prompt_length = 10} learned prompt vectors ({@code adapter_wte}) and a
 * {@code gating_factor} per head, in the attention of layers from {@code adapter_start_layer = 2} up. Nothing below
 * that layer needs a gradient, so autograd keeps nothing there. Each adapted layer attends over the prompt and
 * adds {@code gating_factor * ay}: the product keeps {@code ay}, one attention output.</li>
 * <li>adapter-v2: the same prompts, plus {@code AdapterV2Linear} on every linear layer, the LM head included
 * ({@code create_lm_head}), with a trainable {@code adapter_bias} and {@code adapter_scale}; its forward is
 * {@code self.adapter_scale * (self.linear(x) + self.adapter_bias)}, and the product keeps its other factor, the
 * biased linear output, for the scale's gradient. The norms train too ({@code norm_1}, {@code norm_2}, {@code ln_f}),
 * so every layer from the first needs its activations.</li>
 * </ul>
 */
final class LitgptAdapters {
    /** litgpt/adapter.py Config.adapter_prompt_length. */
    static final int PROMPT_LENGTH = 10;
    /** litgpt/adapter.py Config.adapter_start_layer. */
    static final int START_LAYER = 2;

    private LitgptAdapters() {}

    static boolean applies(Finetune ft) {
        return ft == Finetune.ADAPTER || ft == Finetune.ADAPTER_V2;
    }

    private static int adaptedLayers(TransformerSpec t) {
        return Math.max(0, t.layers() - START_LAYER);
    }

    /** Output widths of one block's linear layers: qkv, attention projection, the MLP's up (and gate) and down. */
    private static double linearOutputs(TransformerSpec t) {
        double q = (double) t.heads() * t.headDim();
        double kv = (double) t.kvHeads() * t.headDim();
        double up = (t.gatedMlp() ? 2.0 : 1.0) * t.intermediate();
        return (q + 2 * kv) + t.hidden() + up + t.hidden();
    }

    /** Trainable parameters when the source does not give the count. */
    static long trainableParams(TransformerSpec t, Finetune ft) {
        long prompts = (long) adaptedLayers(t) * ((long) PROMPT_LENGTH * t.hidden() + t.heads());
        if (ft == Finetune.ADAPTER) {
            return prompts;
        }
        long norm = TransformerMath.normParams(t);
        long perLayer = 2 * (long) linearOutputs(t) + t.normsPerLayer() * norm;
        long head = t.kind() == TransformerSpec.Kind.DECODER ? 2L * t.vocab() : 0;
        return prompts + t.layers() * perLayer + head + (t.finalNorm() ? norm : 0);
    }

    /**
     * Bytes kept for backward per sample of s tokens, given what one frozen block keeps ({@code perLayerBytes}) and
     * what stays outside the blocks ({@code outerBytes}).
     */
    static double savedBytesPerSample(
            TransformerSpec t, Finetune ft, double s, int e, double perLayerBytes, double outerBytes) {
        double q = (double) t.heads() * t.headDim();
        double prompts = adaptedLayers(t) * e * s * q;
        if (ft == Finetune.ADAPTER) {
            return adaptedLayers(t) * perLayerBytes + outerBytes + prompts;
        }
        double head = t.kind() == TransformerSpec.Kind.DECODER ? e * s * t.vocab() : 0;
        return t.layers() * (perLayerBytes + e * s * linearOutputs(t)) + outerBytes + head + prompts;
    }
}
