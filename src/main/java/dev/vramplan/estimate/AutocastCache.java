package dev.vramplan.estimate;

import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Quantization;

/**
 * Autocast's 16-bit copies of the weights, alive through forward and loss. {@code cached_cast} keeps the cast of an
 * fp32 leaf that requires grad until the autocast region ends, and casts any other weight afresh for each op
 * (pytorch aten/src/ATen/autocast_mode.cpp, {@code cached_cast}: {@code can_try_cache} needs
 * {@code arg.requires_grad() && arg.is_leaf()}, "cache lower_precision_fp casts of fp32 model weights"). So full
 * training keeps a copy of every parameter; fine-tuning with adapters keeps copies of the fp32 adapters only, and
 * casts a frozen fp32 base one matrix at a time.
 *
 * <p>fp32 adapters beside a 16-bit base compute under autocast too: the Hugging Face Trainer's {@code --bf16} and
 * {@code --fp16} are accelerate's autocast ({@link CrossEntropy}), except under DeepSpeed, whose engine runs the
 * model without it.
 */
final class AutocastCache {
    private AutocastCache() {}

    /**
     * @param adapterBytes       bytes per adapter parameter (4: fp32 adapters)
     * @param trainable          trainable parameters (all of them in full training)
     * @param params             every parameter of the model
     * @param largestMatrixBytes the largest weight matrix in 16 bits: a frozen fp32 weight's transient cast
     */
    static double bytes(
            Precision p,
            Quantization quant,
            boolean adapters,
            boolean deepSpeed,
            double adapterBytes,
            long trainable,
            long params,
            double largestMatrixBytes) {
        if (!adapters) {
            return p.autocast() ? 2.0 * params : 0;
        }
        int compute = quant != null ? quant.computeBytes() : p.activationBytes();
        boolean fp32Adapters = adapterBytes == 4 && compute < 4;
        if (deepSpeed || !(p.autocast() || fp32Adapters)) {
            return 0;
        }
        return (fp32Adapters ? 2.0 * trainable : 0) + (p.autocast() && quant == null ? largestMatrixBytes : 0);
    }
}
