package dev.vramplan.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Quantization;
import dev.vramplan.catalog.TransformerSpec;
import org.junit.jupiter.api.Test;

/** Each adapted linear layer keeps its dropout's output and mask; a frozen 16-bit base keeps none of its inputs. */
class LoraDropoutTest {
    private static Model model(String id) {
        return Shipped.catalog().model(id);
    }

    @Test
    void everyWrappedModuleHasItsOwnDropout() {
        // Llama 2 under PEFT: q, k, v (3 × 4096), o (4096), gate and up (2 × 4096), down (11008)
        Model llama = model("llama-2-7b");
        TransformerSpec t = (TransformerSpec) llama.architecture();
        assertThat(LoraDropout.inputsPerToken(
                        t, Projections.of(llama, t, Framework.HF_TRANSFORMERS), LoraDropout.Adapted.EVERY_LINEAR))
                .isEqualTo(3 * 4096 + 4096 + 2 * 4096 + 11008.0);
        // LitGPT fuses query, key and value in one module with one dropout
        assertThat(LoraDropout.inputsPerToken(
                        t, Projections.of(llama, t, Framework.LITGPT), LoraDropout.Adapted.EVERY_LINEAR))
                .isEqualTo(4096 + 4096 + 2 * 4096 + 11008.0);
        // Qwen (v1): c_attn is one module; w1, w2 and c_proj
        Model qwen = model("qwen-7b");
        TransformerSpec q = (TransformerSpec) qwen.architecture();
        assertThat(LoraDropout.inputsPerToken(
                        q, Projections.of(qwen, q, Framework.HF_TRANSFORMERS), LoraDropout.Adapted.EVERY_LINEAR))
                .isEqualTo(4096 + 4096 + 2 * 4096 + 11008.0);
        // query and value: PEFT wraps q_proj and v_proj, each with its dropout; LitGPT one fused module
        assertThat(LoraDropout.inputsPerToken(
                        t, Projections.of(llama, t, Framework.HF_TRANSFORMERS), LoraDropout.Adapted.QUERY_VALUE))
                .isEqualTo(2 * 4096.0);
        assertThat(LoraDropout.inputsPerToken(
                        t, Projections.of(llama, t, Framework.LITGPT), LoraDropout.Adapted.QUERY_VALUE))
                .isEqualTo(4096.0);
        // a count that does not say which layers carry adapters: the attention input's dropout
        assertThat(LoraDropout.inputsPerToken(
                        t, Projections.of(llama, t, Framework.HF_TRANSFORMERS), LoraDropout.Adapted.UNKNOWN))
                .isEqualTo(4096.0);
        // LitGPT's zero_pad keeps the adapter outputs it places: q and v (4096 + 4096), or q, k and v on every layer;
        // Mistral's grouped-query attention: q 4096, k and v 1024 each
        assertThat(LoraDropout.zeroPadPerToken(t, Framework.LITGPT, LoraDropout.Adapted.QUERY_VALUE))
                .isEqualTo(8192.0);
        assertThat(LoraDropout.zeroPadPerToken(t, Framework.LITGPT, LoraDropout.Adapted.EVERY_LINEAR))
                .isEqualTo(12288.0);
        TransformerSpec mistral = (TransformerSpec) model("mistral-7b").architecture();
        assertThat(LoraDropout.zeroPadPerToken(mistral, Framework.LITGPT, LoraDropout.Adapted.EVERY_LINEAR))
                .isEqualTo(6144.0);
        assertThat(LoraDropout.zeroPadPerToken(t, Framework.HF_TRANSFORMERS, LoraDropout.Adapted.EVERY_LINEAR))
                .isZero();
    }

    @Test
    void aTrainableCountThatIsAWholeRankOfOneSettingSaysWhichLayers() {
        // TinyLlama: hidden 2048, 32 heads of 64, 4 kv heads, intermediate 5632, 22 blocks, vocabulary 32000. Per
        // block and rank: q (2048 + 2048), k and v (2 · (2048 + 256)), o (2048 + 2048), gate, up and down
        // (3 · (2048 + 5632)) = 35,840; 22 blocks: 788,480; LitGPT's lora_head adds 2048 + 32000 = 34,048
        TransformerSpec tiny = (TransformerSpec) model("tinyllama-1.1b").architecture();
        // LitGPT's config hub, tiny-llama LoRA: 26,320,896 = 32 · 822,528 (every layer and the head at rank 32)
        assertThat(LoraDropout.adapted(tiny, 26_320_896L)).isEqualTo(LoraDropout.Adapted.EVERY_LINEAR);
        assertThat(LoraDropout.adapted(tiny, 8 * 788_480L)).isEqualTo(LoraDropout.Adapted.EVERY_LINEAR);
        assertThat(LoraDropout.adapted(tiny, 8 * 788_480L + 1)).isEqualTo(LoraDropout.Adapted.UNKNOWN);
        assertThat(LoraDropout.adapted(tiny, null)).isEqualTo(LoraDropout.Adapted.EVERY_LINEAR);
        // Llama 2 7B on query and value at rank 32: 32 · 32 · (2 · (4096 + 4096)) = 16,777,216 (LitGPT's config hub):
        // query and value only, not a whole rank of every layer (2,498,560 per rank)
        TransformerSpec llama = (TransformerSpec) model("llama-2-7b").architecture();
        assertThat(LoraDropout.adapted(llama, 16_777_216L)).isEqualTo(LoraDropout.Adapted.QUERY_VALUE);
        assertThat(LoraDropout.adapted(llama, 8 * 2_498_560L)).isEqualTo(LoraDropout.Adapted.EVERY_LINEAR);
        // query, key and value at rank 5 (5 · 32 · 3 · 8192 = 3,932,160) is neither: the count does not say which
        // layers (at an even rank 2k it is the count of query and value at rank 3k, and read as that)
        assertThat(LoraDropout.adapted(llama, 3_932_160L)).isEqualTo(LoraDropout.Adapted.UNKNOWN);
        assertThat(LoraDropout.adapted(llama, 6_291_456L)).isEqualTo(LoraDropout.Adapted.QUERY_VALUE);
        // a quotient beyond any rank is a coincidence of numbers
        assertThat(LoraDropout.adapted(tiny, (LoraDropout.MAX_RANK + 1) * 788_480L))
                .isEqualTo(LoraDropout.Adapted.UNKNOWN);
    }

    @Test
    void aFrozenSixteenBitBaseKeepsNoInputsAndAFourBitOneDoes() {
        TransformerSpec t = (TransformerSpec) model("llama-2-7b").architecture();
        double s = 512;
        int e = 2;
        double trained = TransformerMath.savedBytesPerLayer(t, 1, s, e, true, 0, e, true, false, new Projections(3, 2));
        double frozen = TransformerMath.savedBytesPerLayer(t, 1, s, e, true, 0, e, false, false, new Projections(3, 2));
        // the two norm outputs, the merged heads and the MLP product are the projections' inputs
        assertThat(trained - frozen).isCloseTo(e * s * (2 * 4096 + 4096 + 11008.0), within(1.0));
        // PEFT's fp32 adapters: each dropout keeps 4 bytes and a 1-byte mask per input element
        double adapters =
                TransformerMath.savedBytesPerLayer(t, 1, s, e, true, 100, 4, false, false, new Projections(3, 2));
        assertThat(adapters - frozen).isCloseTo(5 * s * 100, within(1.0));
    }

    @Test
    void loraOnEveryLayerOfASixteenBitBaseCountsDropoutsNotBaseInputs() {
        Model llama = model("llama-2-7b");
        Estimate lora = Estimator.estimate(request(llama, Precision.BF16, null, Finetune.LORA));
        Estimate qlora = Estimator.estimate(request(llama, Precision.INT4, Quantization.NF4, Finetune.QLORA));
        Estimate full = Estimator.estimate(request(llama, Precision.BF16, null, Finetune.FULL));
        long lowRank = lora.breakdown().get(Component.ACTIVATIONS);
        long quantized = qlora.breakdown().get(Component.ACTIVATIONS);
        // PEFT (fp32 adapters) on every layer: 7 dropouts of 5 bytes per input element outweigh the 2-byte base
        // inputs they replace; a 4-bit base keeps those inputs as well (bitsandbytes MatMul4Bit: ctx.tensors = (A, B))
        double perToken = 32 * 2.0 * (2 * 4096 + 4096 + 11008);
        assertThat(quantized - lowRank)
                .isCloseTo((long) (2 * 1024 * perToken), within((long) (1024 * perToken * 0.01)));
        assertThat(lowRank).isGreaterThan(full.breakdown().get(Component.ACTIVATIONS));
    }

    private static EstimateRequest request(Model m, Precision p, Quantization q, Finetune ft) {
        return new EstimateRequest(
                m,
                Shipped.catalog().gpu("a100-sxm4-80gb"),
                Mode.TRAIN,
                p,
                2,
                null,
                1024,
                Optimizer.ADAMW,
                new Setup(ft, null, 16, false, true, false, q, 1.0, null, Framework.HF_TRANSFORMERS, null));
    }
}
