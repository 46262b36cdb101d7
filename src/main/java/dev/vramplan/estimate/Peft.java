package dev.vramplan.estimate;

import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Precision;

/**
 * What Hugging Face PEFT does to the model it adapts, for the frameworks that train LoRA and QLoRA through it
 * ({@code transformers} scripts, LLaMA-Factory, FastChat's train_lora.py). LitGPT has its own adapters, in the
 * base's dtype.
 */
final class Peft {
    private Peft() {}

    /**
     * The adapters' dtype when nobody says: fp32 under PEFT, whose {@code get_peft_model(...,
     * autocast_adapter_dtype=True)} default upcasts fp16 and bf16 adapter weights to fp32 (BaseTuner._cast_adapter_dtype,
     * huggingface/peft src/peft/tuners/tuners_utils.py, v0.12+); their gradients and AdamW states follow. Null (the
     * precision's own) elsewhere.
     */
    static Precision adapterDtype(Framework fw, Finetune ft) {
        return fw != null && fw.huggingFace() && (ft == Finetune.LORA || ft == Finetune.QLORA) ? Precision.FP32 : null;
    }

    /**
     * Bytes per parameter of what a quantized model keeps outside its 4/8-bit matrices (embeddings, norms, LM head)
     * in training. QLoRA under PEFT calls {@code prepare_model_for_kbit_training}, which casts every fp16/bf16
     * parameter that is not a bitsandbytes {@code Params4bit} to fp32 ("cast all non INT8 parameters to fp32",
     * huggingface/peft src/peft/utils/other.py); otherwise they stay in the compute dtype.
     */
    static double frozenOtherBytes(Framework fw, Finetune ft, int computeBytes) {
        return fw != null && fw.huggingFace() && ft == Finetune.QLORA ? Math.max(4, computeBytes) : computeBytes;
    }
}
