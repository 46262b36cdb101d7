package dev.vramplan.estimate;

import dev.vramplan.catalog.Architecture;
import dev.vramplan.catalog.Offload;
import dev.vramplan.catalog.TransformerSpec;

/**
 * What each GPU of a data-parallel training job keeps: the model states (weights, gradients, optimizer states) whole
 * or sharded N ways, ZeRO-3's gathered units, and the communication buffers.
 *
 * <p>Mixed precision follows DeepSpeed's layout (deepspeed/runtime/zero/stage_1_and_2.py, stage3.py): the model runs on
 * a 16-bit copy of the weights (it replaces autocast's copies), and the fp32 master weights, the optimizer states and
 * the fp32 gradient partition belong to the optimizer, which ZeRO shards from stage 1. Per parameter, AdamW, N GPUs:
 * <ul>
 * <li>ddp: 4 weights + 4 gradients + 8 states (+ autocast's 2-byte copies) and DDP's gradient buckets;</li>
 * <li>zero1: 2 (16-bit weights) + 2 (16-bit gradients) + 16/N (4 master + 8 states + 4 fp32 gradients) = 4 + 16/N:
 * DeepSpeed's {@code estimate_zero2_model_states_mem_needs} at 3d754bb/cde57d2 ({@code 4 * total_params +
 * int(16 * total_params / total_gpus)}), which counts the 16-bit gradients whole as stage 1 keeps them;</li>
 * <li>zero2: the 16-bit gradients sharded too: 2 + 18/N (DeepSpeed PR #5099's corrected stage-2 figure);</li>
 * <li>zero3: everything sharded, 20/N, plus the units in flight: the gathered 16-bit parameters of the largest layer and
 * the prefetch bucket, and that layer's 16-bit gradient before its reduce-scatter (DeepSpeed's stage-3 estimator counts
 * {@code 4 * largest_layer_params} for these and 18/N for the shards: it leaves out the 16-bit gradient partition).</li>
 * </ul>
 * Offloading the optimizer moves master weights, states, fp32 gradients and the step to the CPU; offloading parameters
 * (zero3) also the 16-bit shard. Without mixed precision (bf16, fp32) there is no master copy: the weights are what
 * zero3 shards, gradients what zero2 shards.
 */
public final class Sharding {
    private Sharding() {}

    /** Model states and buffers per GPU; NaN communication: one card, none. */
    public record PerGpu(
            double weights,
            double gradients,
            double optimizerStates,
            double stepTemp,
            double autocastCopies,
            double communication) {}

    /**
     * Per-GPU memory of a training job's model states.
     *
     * @param computeBytes   bytes of the 16-bit (or fp32) compute copy of each weight
     * @param weights        the estimator's weights of one card (fp32 master under autocast), without the EMA copy
     * @param ema            an EMA copy of the weights (kept whole: the user's, not the optimizer's)
     * @param gradients      the estimator's gradients of one card
     * @param autocastCopies autocast's 16-bit weight copies (0 without autocast)
     */
    public static PerGpu train(
            Parallelism par,
            boolean autocast,
            int computeBytes,
            double weights,
            double ema,
            double gradients,
            double states,
            double stepTemp,
            double autocastCopies,
            long trainable,
            long params,
            Architecture architecture) {
        int n = par.gpus();
        Strategy s = par.strategy();
        if (s == Strategy.SINGLE && par.offload() == Offload.NONE) {
            return new PerGpu(weights + ema, gradients, states, stepTemp, autocastCopies, Double.NaN);
        }
        double nccl = n > 1 ? Communication.NCCL_BUFFER_BYTES : 0;
        if (s == Strategy.TP) {
            // Megatron-style tensor parallel training: the split matrices' weights, gradients and optimizer states are
            // 1/N on each GPU, the rest whole; activations are counted whole (an upper bound: without sequence
            // parallelism the layer norms' and dropouts' inputs are replicated)
            double share = (double) TensorParallel.splitParams((TransformerSpec) architecture) / params;
            double f = 1 - share + share / n;
            return new PerGpu(weights * f + ema, gradients * f, states * f, stepTemp * f, autocastCopies * f, nccl);
        }
        if (s == Strategy.DDP) {
            // DDP copies every gradient into its all-reduce buckets (25 MiB each, bucket_cap_mb) unless
            // gradient_as_bucket_view=True: "the saved memory size will be equal to the total gradients size"
            // (torch/nn/parallel/distributed.py, DistributedDataParallel's docstring, PyTorch 2.x)
            return new PerGpu(weights + ema, gradients, states, stepTemp, autocastCopies, gradients + nccl);
        }
        int k = s.zeroStage();
        boolean offOptimizer = par.offload() != Offload.NONE;
        boolean offParams = par.offload() == Offload.OPTIMIZER_PARAMS;
        // the replicated compute copy and the optimizer's fp32 master
        double compute = autocast ? autocastCopies : weights;
        double master = autocast ? weights : 0;
        double w = (offParams ? 0 : k == 3 ? compute / n : compute) + (offOptimizer ? 0 : master / n) + ema;
        double g16 = autocast ? (double) computeBytes * trainable : gradients;
        double g32 = autocast ? gradients : 0;
        double g = (k == 1 ? g16 : g16 / n) + (offOptimizer ? 0 : g32 / n);
        double st = offOptimizer ? 0 : states / n;
        double step = offOptimizer ? 0 : stepTemp / n;
        double comm;
        if (k == 3) {
            long largest = largestLayerParams(architecture, params);
            long inFlight = Math.min(
                    Math.min(params, Communication.MAX_LIVE_PARAMETERS),
                    largest + Communication.PREFETCH_BUCKET_ELEMENTS);
            w += (double) computeBytes * inFlight; // gathered units in flight
            g += (double) computeBytes * Math.min(trainable, largest); // the unit's full gradient before reduce-scatter
            comm = (double) computeBytes * Math.min(trainable, Communication.REDUCE_BUCKET_ELEMENTS);
        } else {
            // the reduce bucket in backward, the all-gather of updated 16-bit weights after the step
            comm = (double) computeBytes
                    * Math.max(
                            Math.min(trainable, Communication.REDUCE_BUCKET_ELEMENTS),
                            Math.min(params, Communication.ALLGATHER_BUCKET_ELEMENTS));
        }
        return new PerGpu(w, g, st, step, 0, comm + nccl);
    }

    /**
     * Parameters of the largest single layer (module with its own weights): what ZeRO-3 gathers at once. For a
     * transformer the token embedding (or lm_head) or the largest block matrix; for a CNN the whole network, an upper
     * bound (the layer list is not split here).
     */
    public static long largestLayerParams(Architecture a, long params) {
        if (a instanceof TransformerSpec t) {
            long h = t.hidden();
            long q = (long) t.heads() * t.headDim();
            long largest = Math.max(h * t.intermediate(), h * q);
            if (t.kind() != TransformerSpec.Kind.VISION) {
                largest = Math.max(largest, (long) t.vocab() * h);
            }
            return Math.min(params, largest);
        }
        return params;
    }

    /**
     * DeepSpeed's own model-state estimates per GPU, in bytes, as its code computes them (for reference tests):
     * {@code estimate_zero2_model_states_mem_needs} without offload (stage_1_and_2.py, microsoft/DeepSpeed cde57d2) and
     * {@code estimate_zero3_model_states_mem_needs} without offload (stage3.py).
     */
    public static long deepSpeedZero2Bytes(long totalParams, int gpus) {
        return 4 * totalParams + (long) (16.0 * totalParams / gpus);
    }

    public static long deepSpeedZero3Bytes(long totalParams, long largestLayerParams, int gpus) {
        return 4 * largestLayerParams + (long) (18.0 * totalParams / gpus);
    }
}
