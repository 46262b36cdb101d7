package dev.vramplan.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.TransformerSpec;
import org.junit.jupiter.api.Test;

/**
 * Under autocast each linear module keeps its own 16-bit cast of the fp32 norm output it reads (ATen's
 * {@code cached_cast} caches weights only), and eager attention's scores are fp32 from the mask's addition on.
 */
class ProjectionsTest {
    private static Model model(String id) {
        return Shipped.catalog().model(id);
    }

    private static TransformerSpec spec(Model m) {
        return (TransformerSpec) m.architecture();
    }

    @Test
    void theModelsOwnCodeSaysHowManyModulesReadEachNormOutput() {
        Model llama = model("llama-2-7b");
        // Hugging Face Llama: q_proj, k_proj, v_proj; gate_proj, up_proj
        assertThat(Projections.of(llama, spec(llama), Framework.HF_TRANSFORMERS))
                .isEqualTo(new Projections(3, 2));
        // LitGPT: one attn module for q, k and v; fc_1 and fc_2
        assertThat(Projections.of(llama, spec(llama), Framework.LITGPT)).isEqualTo(new Projections(1, 2));
        // BERT: query, key, value; one intermediate.dense
        Model bert = model("bert-large-uncased");
        assertThat(Projections.of(bert, spec(bert), Framework.HF_TRANSFORMERS)).isEqualTo(new Projections(3, 1));
        // Qwen (v1): c_attn; w1 and w2
        Model qwen = model("qwen-7b");
        assertThat(Projections.of(qwen, spec(qwen), Framework.HF_TRANSFORMERS)).isEqualTo(new Projections(1, 2));
    }

    @Test
    void bertLargeUnderAutocastKeepsFourCastsOfItsNormOutputsByHand() {
        Model bert = model("bert-large-uncased");
        TransformerSpec t = spec(bert);
        Projections modules = Projections.of(bert, t, Framework.HF_TRANSFORMERS);
        // b = 4, s = 512, h = 1024, 16 heads, i = 4096, dropout 0.1, eager attention, fp16 autocast; per layer:
        // two LayerNorm inputs in fp32 (2 · 4 · sbh), the fp16 casts of query, key, value and intermediate.dense
        // (4 · 2 · sbh), q, k, v (3 · 2 · sbh), the merged heads (2 · sbh), two residual dropout masks (2 · sbh),
        // the GELU's input and output (2 · 2 · 4 · sbh): 42 · sbh = 42 · 2,097,152 = 88,080,384; the scores: fp32
        // softmax output, 1-byte dropout mask, fp16 cast for the matmul with V: 7 · a·s²·b = 7 · 16,777,216 =
        // 117,440,512
        assertThat(TransformerMath.savedBytesPerLayer(t, 4, 512, 2, false, 0, 2, true, true, modules))
                .isEqualTo(88_080_384.0 + 117_440_512.0);
        // without autocast the two norm outputs are kept once each, in the precision's width: 4 · sbh fewer bytes
        // of casts, and the norms' inputs and the probabilities in 16 bits
        assertThat(TransformerMath.savedBytesPerLayer(t, 4, 512, 2, false, 0, 2, true, false, modules))
                .isEqualTo((2 * 2 + 2 * 2 + 6 + 2 + 2 + 16) * 2_097_152.0 + (2 + 1 + 2) * 16_777_216.0);
    }

    @Test
    void autocastScoresAndTheirGradientsAreFp32() {
        TransformerSpec t = spec(model("bert-large-uncased"));
        // a·s²·b = 16 · 512² · 4 scores, 4 bytes under autocast, 2 in pure fp16; FlashAttention keeps none
        assertThat(TransformerMath.largestTensorBytes(t, 4, 512, 2, false, true))
                .isEqualTo(67_108_864.0);
        assertThat(TransformerMath.largestTensorBytes(t, 4, 512, 2, false, false))
                .isEqualTo(33_554_432.0);
        // with flash attention the largest is the MLP's intermediate: 2 · 2048 · 4096
        assertThat(TransformerMath.largestTensorBytes(t, 4, 512, 2, true, true)).isEqualTo(16_777_216.0);
    }
}
