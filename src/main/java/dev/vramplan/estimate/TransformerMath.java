package dev.vramplan.estimate;

import dev.vramplan.catalog.TransformerSpec;

/**
 * Parameters and activation bytes of a transformer, from its configuration.
 *
 * <p>Activations saved for backward follow Korthikanti et al. 2022, "Reducing Activation Recomputation in
 * Large Transformer Models" (per layer, 16-bit, plain 4h MLP, dropout: {@code s·b·h·(34 + 5·a·s/h)} bytes),
 * generalised tensor by tensor so that grouped-query attention, gated MLPs, other head widths, no dropout and
 * FlashAttention-style kernels (which keep the output and a log-sum-exp row instead of the a·s² scores) each
 * change exactly the tensors they change. With h = heads·head_dim = kv width and i = 4h, e = 2 and dropout the
 * sum reproduces the paper's 34·s·b·h + 5·a·s²·b (a test checks it).
 */
public final class TransformerMath {
    private TransformerMath() {}

    static long normParams(TransformerSpec t) {
        return t.rmsNorm() ? t.hidden() : 2L * t.hidden();
    }

    /** Weights of the attention and MLP matrices of one block (the part that quantization stores in 4 or 8 bits). */
    static long blockMatrixParams(TransformerSpec t) {
        long h = t.hidden();
        long q = (long) t.heads() * t.headDim();
        long kv = (long) t.kvHeads() * t.headDim();
        long attn = h * q + 2 * h * kv + q * h;
        long mlp = (t.gatedMlp() ? 3L : 2L) * h * t.intermediate();
        return attn + mlp;
    }

    /** Biases and norms of one block. */
    static long blockOtherParams(TransformerSpec t) {
        long h = t.hidden();
        long q = (long) t.heads() * t.headDim();
        long kv = (long) t.kvHeads() * t.headDim();
        long bias = (t.qkvBias() ? q + 2 * kv : 0) + (t.outBias() ? h : 0);
        if (t.mlpBias()) {
            bias += t.gatedMlp() ? 2L * t.intermediate() + h : (long) t.intermediate() + h;
        }
        return bias + t.normsPerLayer() * normParams(t);
    }

    /** Embeddings (tokens, positions, types or patches), final norm, lm_head / pooler / classifier. */
    static long outerParams(TransformerSpec t) {
        long h = t.hidden();
        long n = 0;
        if (t.kind() == TransformerSpec.Kind.VISION) {
            long side = t.imageSize() / t.patch();
            n += (long) t.channels() * t.patch() * t.patch() * h + h + h + (side * side + 1) * h;
            n += h * t.numClasses() + t.numClasses();
        } else {
            n += (long) t.vocab() * h;
            if ("learned".equals(t.position())) {
                n += (long) t.maxPositions() * h;
            }
            n += (long) t.typeVocab() * h;
            if (t.embeddingNorm()) {
                n += normParams(t);
            }
            if (t.kind() == TransformerSpec.Kind.DECODER && !t.tiedEmbeddings()) {
                n += (long) t.vocab() * h + (t.lmHeadBias() ? t.vocab() : 0);
            }
            if (t.pooler()) {
                n += h * h + h;
            }
        }
        if (t.finalNorm()) {
            n += normParams(t);
        }
        return n;
    }

    public static long params(TransformerSpec t) {
        return outerParams(t) + (long) t.layers() * (blockMatrixParams(t) + blockOtherParams(t));
    }

    /** Sum over 2-D weight matrices of (rows + columns): what Adafactor's factored second moment stores. */
    static double factoredElements(TransformerSpec t) {
        long h = t.hidden();
        long q = (long) t.heads() * t.headDim();
        long kv = (long) t.kvHeads() * t.headDim();
        long i = t.intermediate();
        double perLayer = (h + q) + 2 * (h + kv) + (q + h) + (t.gatedMlp() ? 3 : 2) * (h + i);
        double outer = t.kind() == TransformerSpec.Kind.VISION ? h + t.numClasses() : 2.0 * (t.vocab() + h);
        return t.layers() * (perLayer + blockOtherParams(t)) + outer;
    }

    /**
     * Bytes one block keeps for backward at micro-batch b and sequence s.
     *
     * @param e     bytes per activation element (2 for 16-bit compute, 4 for fp32)
     * @param flash attention by a fused kernel that keeps no s×s scores
     * @param adapterInputs elements per token whose adapter dropouts keep their output ({@link LoraDropout}), each in
     *     {@code adapterBytes} bytes beside a 1-byte mask; 0 without adapters
     * @param baseKeepsInputs whether the block's linear layers keep their inputs: PyTorch's matmul keeps its input
     *     only for the weight's gradient (the derivative of {@code mm} with respect to {@code mat2} is
     *     {@code self.t().mm(grad)}, saved only when {@code mat2} requires grad), so a frozen 16-bit base under LoRA
     *     keeps none; a trained one does, and so does a bitsandbytes 4/8-bit base ({@code MatMul4Bit} and
     *     {@code MatMul8bitLt} store {@code A} in {@code ctx.tensors} whenever the input needs a gradient)
     * @param autocast mixed precision: autocast runs softmax and the norms in fp32 (PyTorch autocast op lists), so
     *              the residual stream, the norms' inputs and eager attention's probabilities are 4 bytes, and each
     *              matmul keeps the 16-bit copy autocast made of its input
     * @param modules the linear modules reading each norm output ({@link Projections}): under autocast each keeps its
     *     own 16-bit copy
     */
    static double savedBytesPerLayer(
            TransformerSpec t,
            double b,
            double s,
            int e,
            boolean flash,
            double adapterInputs,
            int adapterBytes,
            boolean baseKeepsInputs,
            boolean autocast,
            Projections modules) {
        double h = t.hidden();
        double q = (double) t.heads() * t.headDim();
        double kv = (double) t.kvHeads() * t.headDim();
        double i = t.intermediate();
        double a = t.heads();
        boolean dropout = t.dropout() > 0;
        double sb = s * b;
        double bytes = 0;
        // inputs the norms keep: RMSNorm as Hugging Face and LitGPT write it upcasts to fp32 and keeps that copy
        bytes += t.normsPerLayer() * normInputBytes(t, e, autocast) * sb * h;
        if (baseKeepsInputs) {
            bytes += baseInputBytesPerLayer(t, b, s, e, autocast, modules);
        }
        // query, key and value after the rotary embedding: grouped-query attention keeps kv_heads, not heads
        bytes += e * sb * (q + 2 * kv);
        if (flash) {
            bytes += e * sb * q + 4 * a * sb; // output O and the fp32 log-sum-exp per row
        } else {
            int probs = autocast ? 4 : e;
            bytes += probs * a * s * sb; // softmax output, a·s²·b
            if (dropout) {
                bytes += a * s * sb
                        + e * a * s * sb; // dropout mask (1 byte) and dropout output (16-bit copy under autocast)
            } else if (autocast) {
                bytes += e * a * s * sb; // the 16-bit copy autocast makes for the matmul with V
            }
        }
        if (dropout) {
            bytes += 2 * sb * h; // two residual dropout masks (1 byte each)
        }
        // gate, up, act(gate) | fc1 out (the product or act out is the down projection's input, counted above)
        bytes += (t.gatedMlp() ? 3 : 1) * e * sb * i;
        bytes += (adapterBytes + 1) * sb * adapterInputs; // adapter dropouts: their outputs and masks
        return bytes;
    }

    /**
     * The inputs one block's linear layers keep for their weights' gradients: the norm outputs the projections read
     * ({@link Projections#keptInputs}), the heads merged back (a contiguous copy, the output projection's input) and
     * the MLP's product or activation (the down projection's input).
     */
    static double baseInputBytesPerLayer(
            TransformerSpec t, double b, double s, int e, boolean autocast, Projections modules) {
        double q = (double) t.heads() * t.headDim();
        return e * s * b * (modules.keptInputs(t, autocast) * t.hidden() + q + t.intermediate());
    }

    /**
     * RMSNorm implementations (HF LlamaRMSNorm, LitGPT RMSNorm) compute in fp32 and keep the fp32 input; under
     * autocast every norm runs in fp32 and the residual stream it reads is fp32; otherwise LayerNorm keeps its input as is.
     */
    static int normInputBytes(TransformerSpec t, int e, boolean autocast) {
        return t.rmsNorm() || autocast ? Math.max(4, e) : e;
    }

    /** What stays outside the blocks: the final norm's input and output (the LM head's input). */
    static double outerSavedBytes(TransformerSpec t, double b, double s, int e, boolean autocast) {
        return (normInputBytes(t, e, autocast) + e) * s * b * t.hidden();
    }

    /**
     * Adapter parameters of one block at rank r on every linear layer (the QLoRA paper's setting, and Qwen's
     * finetune.py default): r·(in + out) per matrix.
     */
    static long adapterParamsPerBlock(TransformerSpec t, int rank) {
        long h = t.hidden();
        long q = (long) t.heads() * t.headDim();
        long kv = (long) t.kvHeads() * t.headDim();
        long i = t.intermediate();
        long sum = (h + q) + 2 * (h + kv) + (q + h) + (t.gatedMlp() ? 3 : 2) * (h + i);
        return rank * sum;
    }

    /**
     * The largest single tensor of a block's forward (its gradient is the backward's transient). Eager attention's
     * scores under autocast are fp32 from the mask's addition on (a 16-bit tensor plus the model's fp32 additive mask
     * promotes to fp32; softmax is on autocast's fp32 list), and so are their gradients through softmax and dropout.
     */
    static double largestTensorBytes(TransformerSpec t, double b, double s, int e, boolean flash, boolean autocast) {
        double big = Math.max(e * s * b * t.intermediate(), e * s * b * t.hidden());
        if (!flash) {
            big = Math.max(big, (autocast ? 4 : e) * (double) t.heads() * s * s * b);
        }
        return big;
    }

    /** Bytes of one block's forward working set when nothing is kept for backward (inference). */
    static double inferenceWorkingBytes(TransformerSpec t, double b, double s, int e, boolean flash) {
        return inferenceWorkingBytes(t, b, s, e, flash, 1);
    }

    /**
     * The same on each of {@code n} tensor-parallel GPUs: the residual stream and the norm output stay whole; the
     * attention heads (q, k, v, the scores and the attention output) and the MLP's intermediate are split as the
     * column-parallel matrices that make them are (Megatron-LM's layout, vllm/model_executor/layers/linear.py
     * {@code ColumnParallelLinear}, {@code QKVParallelLinear}).
     */
    static double inferenceWorkingBytes(TransformerSpec t, double b, double s, int e, boolean flash, int n) {
        double h = t.hidden();
        double heads = n == 1 ? t.heads() : (double) t.heads() / n;
        double q = heads * t.headDim();
        double kv = (double) (n == 1 ? t.kvHeads() : TensorParallel.kvHeadsPerGpu(t, n)) * t.headDim();
        double i = (double) t.intermediate() / n;
        // residual stream + norm output, then the wider of attention (q, k, v, output) and MLP (gate, up, product)
        double attn = e * s * b * (q + 2 * kv + q) + (flash ? 0 : e * heads * s * s * b);
        double mlp = e * s * b * (t.gatedMlp() ? 3 : 2) * i;
        return 2 * e * s * b * h + Math.max(attn, mlp);
    }
}
