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
import org.junit.jupiter.api.Test;

/**
 * LitGPT's loop keeps the last step's graph through the next forward, and bitsandbytes (to 0.43.1) keeps each 4-bit
 * layer's input in that graph: a QLoRA step's peak holds two steps' inputs of the 4-bit layers.
 */
class PreviousStepTest {
    private static final Model LLAMA = Shipped.catalog().model("llama-2-7b");

    @Test
    void litgptQloraHoldsThePreviousStepsInputsOfEveryFourBitLayerByHand() {
        // with a trainable count that does not say which layers are adapted (query, key and value at rank 5:
        // 3,932,160) every layer's input is counted once, 16-bit base or 4-bit: what a LitGPT QLoRA run keeps beyond
        // its 16-bit LoRA run is the previous step's copy. Llama 2
        // 7B, batch 2 × 1,024 tokens in bf16: per block the two norm outputs (q, k, v share one in LitGPT's fused attn;
        // fc_1 and fc_2 the other), the merged heads and the MLP product, 2 · 4096 + 4096 + 11008 = 23,296 elements
        // per token, over 32 blocks, plus the LM head's input (4096): 2 bytes each
        double previous = 2 * 1024 * 2.0 * (32 * 23_296 + 4096);
        long qlora = activations(Framework.LITGPT, Precision.INT4, Quantization.NF4, false);
        long lora = activations(Framework.LITGPT, Precision.BF16, null, false);
        assertThat((double) (qlora - lora)).isCloseTo(previous, within(1024.0));
    }

    @Test
    void notUnderTheTrainerNorUnderGradientCheckpointing() {
        // the Hugging Face Trainer drops its step's graph when training_step returns: one copy, as the 16-bit run's
        assertThat(activations(Framework.HF_TRANSFORMERS, Precision.INT4, Quantization.NF4, false))
                .isEqualTo(activations(Framework.HF_TRANSFORMERS, Precision.BF16, null, false));
        // checkpointing is estimated from the checkpointed blocks alone
        assertThat(activations(Framework.LITGPT, Precision.INT4, Quantization.NF4, true))
                .isEqualTo(activations(Framework.LITGPT, Precision.BF16, null, true));
    }

    private static long activations(Framework fw, Precision p, Quantization q, boolean checkpointing) {
        Finetune ft = q == null ? Finetune.LORA : Finetune.QLORA;
        EstimateRequest r = new EstimateRequest(
                LLAMA,
                Shipped.catalog().gpu("a100-sxm4-80gb"),
                Mode.TRAIN,
                p,
                2,
                null,
                1024,
                Optimizer.ADAMW,
                new Setup(ft, 3_932_160L, null, checkpointing, true, false, q, 1.0, null, fw, null));
        return Estimator.estimate(r).breakdown().get(Component.ACTIVATIONS);
    }
}
