package dev.vramplan.validate;

import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Quantization;
import dev.vramplan.input.Named;
import dev.vramplan.input.Yaml;

/**
 * One published or measured peak-memory observation (docs/measurement-format.md).
 *
 * @param gpu           catalog card id; null when the source does not say (allowed for peak_allocated and reserved)
 * @param measuredBytes the observation; null when the run went out of memory
 * @param flashAttention null: what the model's usual runtime does
 * @param uncertain      the source did not say what it measured, or whether its GB are 10^9 or 2^30 bytes
 * @param run            how the run was set up (format 2: framework, adapter dtype, ZeRO, offload, GPUs, boxes per image)
 */
public record Measurement(
        String id,
        Yaml.Loc loc,
        String source,
        String model,
        String gpu,
        Mode mode,
        Precision precision,
        Optimizer optimizer,
        Finetune finetune,
        Long trainableParams,
        Integer loraRank,
        int batch,
        Integer seqLen,
        Integer resolution,
        boolean gradientCheckpointing,
        Boolean flashAttention,
        boolean ema,
        Quantization quantization,
        Integer numClasses,
        Long measuredBytes,
        Kind kind,
        boolean uncertain,
        RunSetup run) {
    public Measurement {
        if (run == null) {
            run = RunSetup.plain();
        }
    }

    /** Which total the number is: torch.cuda.max_memory_allocated, memory_reserved, or what nvidia-smi shows. */
    public enum Kind implements Named {
        PEAK_ALLOCATED("peak_allocated"),
        RESERVED("reserved"),
        DEVICE_USED("device_used");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    public boolean oom() {
        return measuredBytes == null;
    }
}
