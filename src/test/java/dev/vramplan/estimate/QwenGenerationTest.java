package dev.vramplan.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Quantization;
import dev.vramplan.catalog.TransformerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Generation with Qwen (v1)'s own modeling code holds two key/value caches at the end of each decode step
 * ({@link LegacyKvCache}). Checked against Qwen's published inference profile, which is not in the public
 * measurements: QwenLM/Qwen README, "Inference Performance" / "GPU Memory Usage" (A100-SXM4-80G, PyTorch 2.0.1, flash
 * attention; Int8/Int4 are the GPTQ checkpoints under AutoGPTQ), measured by Qwen's profile.py:
 * {@code torch.cuda.max_memory_allocated()} printed {@code / 1024 / 1024 / 1024} as "GB" (so GiB) after
 * {@code model.generate} from a 1-token context.
 */
class QwenGenerationTest {
    private static final Catalog C = Shipped.catalog();
    private static final double GIB = 1L << 30;

    private static EstimateRequest generate(String model, Precision p, int batch, int tokens) {
        Quantization q = p == Precision.BF16 ? null : Quantization.GPTQ;
        return new EstimateRequest(
                C.model(model),
                C.gpu("a100-sxm4-80gb"),
                Mode.INFERENCE,
                p,
                batch,
                null,
                tokens,
                Optimizer.NONE,
                new Setup(Finetune.FULL, null, null, false, true, false, q, 1.0, null, null, null));
    }

    @Test
    void qwensDecodeStepHoldsTheOldCacheBesideTheNewOneAndLlamasDoesNot() {
        EstimateRequest qwen = generate("qwen-7b", Precision.BF16, 1, 8193);
        TransformerSpec t = (TransformerSpec) qwen.model().architecture();
        // keys and values: 2 × 32 layers × 32 heads × 128 × 2 bytes × 8,193 tokens = 4.30 GB, twice
        long one = 2L * 32 * 32 * 128 * 2 * 8193;
        assertThat(2L * t.layers() * t.kvHeads() * t.headDim() * 2 * 8193).isEqualTo(one);
        assertThat(Estimator.estimate(qwen).breakdown().get(Component.KV_CACHE)).isEqualTo(2 * one);
        // transformers' own classes grow a DynamicCache layer by layer, LitGPT and vLLM in place: one cache
        assertThat(LegacyKvCache.copies(C.model("llama-2-7b"), Framework.HF_TRANSFORMERS))
                .isEqualTo(1);
        assertThat(LegacyKvCache.copies(qwen.model(), Framework.VLLM)).isEqualTo(1);
        assertThat(LegacyKvCache.copies(qwen.model(), Framework.HF_TRANSFORMERS))
                .isEqualTo(2);
    }

    /** Published GiB at 2,048 and 8,192 generated tokens; the estimate stays within −11% and +5% of each. */
    @ParameterizedTest(name = "{0} {1} generating {2} tokens: {3} GiB")
    @CsvSource({
        "qwen-1.8b, bf16, 2048, 4.23",
        "qwen-1.8b, int8, 2048, 3.48",
        "qwen-1.8b, int4, 2048, 2.91",
        "qwen-7b, bf16, 2048, 16.99",
        "qwen-7b, int8, 2048, 11.20",
        "qwen-7b, int4, 2048, 8.21",
        "qwen-14b, bf16, 2048, 30.15",
        "qwen-14b, int8, 2048, 18.81",
        "qwen-14b, int4, 2048, 13.01",
        "qwen-7b, bf16, 8192, 22.53",
        "qwen-7b, int8, 8192, 16.62",
        "qwen-7b, int4, 8192, 13.63",
        "qwen-14b, bf16, 8192, 38.94",
        "qwen-14b, int8, 8192, 27.54",
        "qwen-14b, int4, 8192, 21.79"
    })
    void peakMemoryOfQwensOwnProfile(String model, String precision, int generated, double publishedGib) {
        Estimate e = Estimator.estimate(generate(model, Precision.of(precision), 1, 1 + generated));
        assertThat(e.peakAllocatedBytes() / GIB).isCloseTo(publishedGib * 0.97, within(publishedGib * 0.08));
    }

    /**
     * The same README's KV-cache table (Qwen-7B, BF16, 1,024 generated tokens, cache quantization off): 16.3 GiB at
     * batch 1, 31.7 at 16, 48.7 at 32, out of memory at 64 and 100. One cache would put batch 32 at 31 GiB and batch
     * 64 on the card.
     */
    @ParameterizedTest(name = "batch {0}: {1}")
    @CsvSource({"16, 31.7", "32, 48.7", "64, oom", "100, oom"})
    void batchesOfQwensCacheTable(int batch, String published) {
        Estimate e = Estimator.estimate(generate("qwen-7b", Precision.BF16, batch, 1025));
        if (published.equals("oom")) {
            assertThat(e.fits()).isFalse();
        } else {
            double gib = Double.parseDouble(published);
            assertThat(e.peakAllocatedBytes() / GIB).isCloseTo(gib, within(gib * 0.05));
        }
    }
}
