package dev.vramplan.estimate;

import dev.vramplan.input.Named;

/** The parts of a GPU's memory at the peak of a job. They add up to {@code device_bytes}. */
public enum Component implements Named {
    /** Model parameters in their stored precision (with quantization scales). */
    WEIGHTS("weights"),
    /** Gradients of the trainable parameters. */
    GRADIENTS("gradients"),
    /** Optimizer states (AdamW's two moments, SGD's momentum, …). */
    OPTIMIZER_STATES("optimizer_states"),
    /** Tensors kept for backward (training) or alive at once in the forward (inference). */
    ACTIVATIONS("activations"),
    /** Keys and values of past tokens kept by a decoder while it generates. */
    KV_CACHE("kv_cache"),
    /** The input batch and the outputs (logits, detection maps) and the loss buffers. */
    INPUT_OUTPUT("input_output"),
    /** Short-lived buffers: autocast's 16-bit weight copies, gradient transients, the optimizer step, cuBLAS workspace. */
    WORKSPACE("workspace"),
    /** Several cards: DDP's gradient buckets, ZeRO's reduce and all-gather buckets, NCCL's own buffers. */
    COMMUNICATION("communication"),
    /** What PyTorch's caching allocator holds beyond live tensors (segment rounding and fragmentation). */
    ALLOCATOR_CACHE("allocator_cache"),
    /** CUDA context, kernels and library handles: on the device before any tensor. */
    RUNTIME("runtime");

    private final String id;

    Component(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
