package dev.vramplan.estimate;

import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.TransformerSpec;
import java.util.Set;

/**
 * How many linear modules of one block read each normalized input: the attention's (query, key and value) and the
 * MLP's (gate and up, or fc1). The model's own code decides it: most Hugging Face decoders and BERT project q, k and v
 * separately, Qwen (v1) {@code c_attn}, Falcon {@code query_key_value}, GPT-2 and StarCoder {@code c_attn} and Phi-3
 * {@code qkv_proj} in one module (Phi-3 also gate and up, {@code gate_up_proj}); LitGPT's own model fuses query, key
 * and value ({@code CausalSelfAttention.attn}) and keeps {@code fc_1} and {@code fc_2} apart (litgpt/model.py).
 *
 * <p>Each module that reads an input is one copy where the module makes its own: LoRA's dropout per wrapped module
 * ({@link LoraDropout}), and autocast's 16-bit cast of an fp32 activation, which ATen makes anew at every call —
 * {@code cached_cast} caches only leaf tensors that require grad, i.e. weights (aten/src/ATen/autocast_mode.cpp) —
 * and which each linear keeps for its weight's gradient.
 *
 * @param attention modules reading the attention's input
 * @param mlp       modules reading the MLP's input (besides the down projection, which reads the MLP's own product)
 */
record Projections(int attention, int mlp) {
    /** Families whose modeling code projects query, key and value in one linear module. */
    private static final Set<String> FUSED_QKV = Set.of("qwen", "falcon", "gpt2", "gpt_bigcode", "phi3");

    /** Families whose modeling code projects a gated MLP's gate and up in one linear module. */
    private static final Set<String> FUSED_GATE_UP = Set.of("phi3");

    static Projections of(Model m, TransformerSpec t, Framework framework) {
        boolean litgpt = framework == Framework.LITGPT;
        int attention = litgpt || FUSED_QKV.contains(m.family()) ? 1 : 3;
        int mlp = t.gatedMlp() && (litgpt || !FUSED_GATE_UP.contains(m.family())) ? 2 : 1;
        return new Projections(attention, mlp);
    }

    /**
     * Copies of a normalized input (hidden-width, per token) that the block's linear layers keep for their weights'
     * gradients: one per norm output, shared by the modules that read it, or one per module under autocast, whose
     * 16-bit casts of the fp32 norm output are each a new tensor.
     */
    double keptInputs(TransformerSpec t, boolean autocast) {
        if (autocast) {
            return attention + mlp;
        }
        return t.normsPerLayer() <= 1 ? 1 : 2; // a parallel block's attention and MLP read one norm output
    }
}
