package dev.vramplan.estimate;

import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Quantization;
import dev.vramplan.catalog.TransformerSpec;

/**
 * What LitGPT's bitsandbytes 4-bit quantization keeps, through Lightning Fabric's {@code BitsandbytesPrecision}
 * (lit-gpt 8641822 with Lightning 71aed751 and bitsandbytes 0.41.1, the versions of LitGPT's resource tables):
 * <ul>
 * <li>every {@code nn.Linear} is replaced, the LM head included: LitGPT passes no {@code ignore_modules}
 * (generate/base.py, finetune/lora.py), and the plugin's {@code init_module} context patches {@code torch.nn.Linear}
 * without exception (lightning/fabric/plugins/precision/bitsandbytes.py). The token embedding stays 16-bit;</li>
 * <li>a forward over more than one token dequantizes each weight in full ({@code MatMul4Bit.forward}:
 * {@code F.dequantize_4bit(B, state).to(A.dtype)}, bitsandbytes/autograd/_functions.py) — the backward of a LoRA
 * step again — so the transient is the largest quantized matrix, which is the LM head's vocabulary × hidden;</li>
 * <li>Lightning quantized the weights from fp16 ({@code weight.to(dtype=torch.half)}), so dequantizing gives fp16,
 * and under bf16 compute {@code .to(A.dtype)} makes a bf16 copy beside it: 4 bytes per weight. LitGPT computes in
 * bf16 where the card has it ({@code get_default_supported_precision}: bf16-true from compute capability 8.0).</li>
 * </ul>
 * Elsewhere (PEFT and transformers' bitsandbytes integration) the LM head stays 16-bit
 * ({@code get_keys_to_not_convert}), and the transient is the largest block matrix in the compute dtype.
 */
final class LightningBnb {
    private LightningBnb() {}

    /**
     * Whether a step's peak also holds the previous step's inputs of the 4-bit layers. bitsandbytes up to 0.43.1 keeps
     * a 4-bit layer's input as a plain attribute of the autograd context ({@code MatMul4Bit.forward}: {@code
     * ctx.tensors = (A, B)}, bitsandbytes/autograd/_functions.py, 0.41.0–0.43.1), which backward never frees: PyTorch
     * clears only {@code save_for_backward}'s tensors after a node runs ({@code PyNode::release_variables},
     * torch/csrc/autograd/python_function.cpp), so the inputs live as long as the graph. LitGPT's loop keeps the graph
     * of the last step through the next forward — {@code logits = model(input_ids, ...)} and {@code loss} are rebound
     * only when the next ones are computed (finetune/lora.py at 8641822; litgpt/finetune/lora.py {@code fit}) — so from
     * the second step on, the end of a forward holds two steps' inputs of every 4-bit layer, the LM head's included.
     * bitsandbytes 0.43.2 stopped keeping the input at all ({@code ctx.tensors = (None, B)}, PR #1270, commit
     * 9e75374): with it, a run needs less than estimated here by both copies. A run whose longest batch comes only once
     * (LitGPT's resource tables put it first) peaks at that batch without the previous step's copy. The Hugging Face
     * Trainer drops its step's graph when {@code training_step} returns ({@code loss.detach()}), so it keeps one copy.
     */
    static boolean keepsPreviousStep(Framework fw, Quantization quant) {
        return fw == Framework.LITGPT && fourBit(quant);
    }

    /** bitsandbytes' 4-bit schemes, the ones {@code MatMul4Bit} runs. */
    private static boolean fourBit(Quantization quant) {
        return quant == Quantization.NF4 || quant == Quantization.NF4_DQ || quant == Quantization.FP4;
    }

    /**
     * Per request: the LM head's parameters stored quantized, and the bytes of the dequantization transient.
     *
     * @param logitsAtDequant how many copies of the step's logits are alive while the largest weight is dequantized
     *     in a training step: LitGPT's head is that weight, dequantized for each chunk of the logits while the previous
     *     step's logits are still bound ({@code logits = model(...)} rebinds them only when the forward returns) and
     *     again in backward beside the logits and their gradients: two; elsewhere a block's matrix, dequantized before
     *     there are logits or after the LM head's backward has consumed their gradient: none
     */
    record Terms(double lmHeadParams, double dequantBytes, int logitsAtDequant) {
        /**
         * What the dequantization adds to a training step's peak beyond the loss's side of it ({@code output} bytes of
         * logits and {@code loss} bytes of the loss's copies, which live from the loss to the LM head's backward): the
         * dequantized weight is alive inside a linear layer's forward or backward, never beside the loss's copies.
         */
        double trainingBytes(double output, double loss) {
            return Math.max(0, dequantBytes + logitsAtDequant * output - (output + loss));
        }
    }

    static Terms of(EstimateRequest r, Framework fw, Quantization quant, Precision p, Shape s) {
        if (quant == null) {
            return new Terms(0, 0, 0);
        }
        double blockMatrix = s.largestMatrixBytes() / 2; // elements of the largest block matrix
        if (fw != Framework.LITGPT
                || !fourBit(quant)
                || !(r.model().architecture() instanceof TransformerSpec t)
                || t.kind() != TransformerSpec.Kind.DECODER) {
            return new Terms(0, blockMatrix * quant.dequantBytesPerWeight(p), 0);
        }
        // LitGPT's head is an nn.Linear of its own, tied in the checkpoint or not (LitgptHead)
        double lmHead = (double) t.vocab() * t.hidden();
        boolean bf16 = r.gpu().computeCapability() >= 8.0;
        return new Terms(lmHead, Math.max(blockMatrix, lmHead) * (bf16 ? 4 : 2), 2);
    }
}
