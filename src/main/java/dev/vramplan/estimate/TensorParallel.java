package dev.vramplan.estimate;

import dev.vramplan.catalog.Architecture;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.TransformerSpec;

/**
 * What each GPU of a tensor-parallel server keeps (Megatron-LM's layout, as vLLM loads it): the attention and MLP
 * matrices split N ways by heads and by the intermediate dimension, the token embedding and lm_head split by vocabulary
 * ({@code VocabParallelEmbedding}, {@code ParallelLMHead} in vllm/model_executor/layers/vocab_parallel_embedding.py),
 * the KV cache split by key/value heads, and the activations of the heads and of the MLP's intermediate with them;
 * norms, biases and the residual stream stay whole on every GPU. Every GPU has its own CUDA runtime.
 */
public final class TensorParallel {
    private TensorParallel() {}

    /** Why {@code n} GPUs cannot split this model, or null when they can. */
    public static String unsplittable(Architecture a, int n) {
        if (!(a instanceof TransformerSpec t)) {
            return "tensor parallelism splits transformer layers; a CNN runs on one GPU per replica";
        }
        // vLLM: "Total number of attention heads (h) must be divisible by tensor parallel size (n)"
        // (vllm/config.py ModelConfig.verify_with_parallel_config); key/value heads are replicated when fewer than n
        if (t.heads() % n != 0) {
            return "tp " + n + " does not divide the " + t.heads() + " attention heads";
        }
        if (t.kvHeads() < n ? n % t.kvHeads() != 0 : t.kvHeads() % n != 0) {
            return "tp " + n + " and the " + t.kvHeads() + " key/value heads do not divide each other";
        }
        return null;
    }

    /** Parameters split by vocabulary: the token embedding and an untied lm_head. */
    static long vocabParams(TransformerSpec t) {
        if (t.kind() == TransformerSpec.Kind.VISION) {
            return 0;
        }
        long e = (long) t.vocab() * t.hidden();
        return t.kind() == TransformerSpec.Kind.DECODER && !t.tiedEmbeddings() ? 2 * e : e;
    }

    /**
     * Weight bytes per GPU.
     *
     * @param weights      the whole model's weight bytes
     * @param matrixBytes  the bytes of the blocks' attention and MLP matrices within {@code weights}
     * @param otherWidth   bytes per parameter of the other weights (embeddings, norms, biases)
     */
    static double weights(
            TransformerSpec t, int n, double weights, double matrixBytes, double otherWidth, Framework framework) {
        // LitGPT keeps a tied model's head as a matrix of its own, split by vocabulary like the embedding
        double vocab = otherWidth * (vocabParams(t) + LitgptHead.extraParams(t, framework));
        double whole = weights - matrixBytes - vocab;
        return whole + (matrixBytes + vocab) / n;
    }

    /** Parameters split N ways: the blocks' attention and MLP matrices and the vocabulary-parallel embeddings. */
    static long splitParams(TransformerSpec t) {
        return (long) t.layers() * TransformerMath.blockMatrixParams(t) + vocabParams(t);
    }

    /** {@link #weights(TransformerSpec, int, double, double, double, Framework)} for a request: the whole weights on one GPU. */
    static double weights(EstimateRequest r, double weights, double matrixBytes, double otherWidth) {
        return r.parallelism().multi()
                ? weights(
                        (TransformerSpec) r.model().architecture(),
                        r.parallelism().gpus(),
                        weights,
                        matrixBytes,
                        otherWidth,
                        r.setup().framework())
                : weights;
    }

    /** The KV cache each GPU keeps: its key/value heads' share. */
    static double kv(EstimateRequest r, double kv) {
        if (!r.parallelism().multi()) {
            return kv;
        }
        TransformerSpec t = (TransformerSpec) r.model().architecture();
        return kv / t.kvHeads() * kvHeadsPerGpu(t, r.parallelism().gpus());
    }

    /**
     * A serving forward's working set on each GPU: {@code whole}, the one-card figure, scaled by the share of
     * {@link TransformerMath#inferenceWorkingBytes} each GPU keeps at this request's tokens.
     */
    static double inferenceActivations(EstimateRequest r, double whole, int e) {
        if (!r.parallelism().multi() || whole == 0) {
            return whole;
        }
        TransformerSpec t = (TransformerSpec) r.model().architecture();
        double s = t.kind() == TransformerSpec.Kind.VISION ? t.tokensForImage(r.resolutionPx()) : r.seqLenTokens();
        boolean flash = r.flashAttention();
        return whole
                * TransformerMath.inferenceWorkingBytes(
                        t, 1, s, e, flash, r.parallelism().gpus())
                / TransformerMath.inferenceWorkingBytes(t, 1, s, e, flash);
    }

    /** NCCL's buffers on each GPU of a tensor-parallel server; NaN (no component) on one GPU. */
    static double communication(EstimateRequest r) {
        return r.parallelism().multi() ? Communication.NCCL_BUFFER_BYTES : Double.NaN;
    }

    /** Key/value heads each GPU keeps: its share, or one replicated head when there are fewer heads than GPUs. */
    static int kvHeadsPerGpu(TransformerSpec t, int n) {
        return Math.max(1, t.kvHeads() / n);
    }
}
