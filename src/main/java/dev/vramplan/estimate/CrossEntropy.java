package dev.vramplan.estimate;

import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Model;
import java.util.Set;

/**
 * Whether a 16-bit run is under autocast, and in which dtype a language model's cross-entropy keeps its copies of the
 * logits.
 *
 * <p>Autocast: the Hugging Face Trainer mixes precision through accelerate, which turns autocast on for fp16 and bf16
 * unless DeepSpeed runs the model ({@code Accelerator.__init__} sets {@code native_amp} only when
 * {@code self.distributed_type not in (DistributedType.DEEPSPEED, DistributedType.MEGATRON_LM)},
 * huggingface/accelerate src/accelerate/accelerator.py); DeepSpeed's engine then runs the model in its 16-bit dtype
 * itself. So a ZeRO stage under the Trainer-based frameworks means no autocast: activations and the loss stay in the
 * 16-bit dtype the model computes in.
 *
 * <p>The loss: under autocast {@code cross_entropy} runs in fp32 (autocast's fp32 op list), and transformers' own
 * causal-LM classes upcast the logits themselves ({@code logits = logits.float()}). Without autocast, Qwen (v1)'s own
 * {@code QWenLMHeadModel} (modeling_qwen.py on the Hugging Face Hub, Qwen/Qwen-7B) hands {@code CrossEntropyLoss} the
 * 16-bit {@code shift_logits}: the log-softmax it keeps for backward and its gradient are 16-bit.
 */
final class CrossEntropy {
    private CrossEntropy() {}

    /** Model families whose own modeling code computes the loss on the 16-bit logits (no {@code .float()}). */
    private static final Set<String> SIXTEEN_BIT_LOSS = Set.of("qwen");

    /** Whether DeepSpeed's engine, not autocast, runs a training job's 16-bit compute. */
    static boolean deepSpeed(EstimateRequest r, Framework fw) {
        // the Hugging Face Trainer, sharded by DeepSpeed when a ZeRO stage is set
        return r.parallelism().strategy().zeroStage() > 0 && fw != null && fw.huggingFace();
    }

    /** Whether the loss keeps fp32 copies of 16-bit logits. */
    static boolean inFp32(Model m, boolean deepSpeed) {
        return !deepSpeed || !SIXTEEN_BIT_LOSS.contains(m.family());
    }

    /**
     * Bytes per logit, beyond the model's logits and the loss's two copies, that a 16-bit model's loss keeps at its
     * peak: Qwen's {@code shift_logits = lm_logits[..., :-1, :].contiguous()} is a second 16-bit copy of the logits,
     * a local of {@code QWenLMHeadModel.forward} alive until it returns. Without autocast {@code CrossEntropyLoss}
     * reads that copy itself (the copy is one of the loss's two); under autocast it casts it to fp32 first, so the
     * log-softmax runs beside the logits, the shifted copy, the fp32 cast and its fp32 output, and backward's
     * fp32 gradients are as many bytes: one 16-bit copy more than the other classes.
     */
    static double shiftedCopyBytes(Model m, boolean fp32Loss, int e) {
        return fp32Loss && e < 4 && SIXTEEN_BIT_LOSS.contains(m.family()) ? e : 0;
    }
}
