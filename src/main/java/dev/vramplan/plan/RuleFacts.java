package dev.vramplan.plan;

import dev.vramplan.catalog.Calibration;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Workload;
import dev.vramplan.estimate.EstimateRequest;
import dev.vramplan.estimate.Setup;
import dev.vramplan.rules.Card;
import dev.vramplan.rules.Job;
import java.util.stream.Collectors;

/** The rules' view of the catalog: a fleet card, a workload and its model as facts, and how a workload runs for the estimator. */
public final class RuleFacts {
    private RuleFacts() {}

    public static Card card(Gpu g, int count) {
        return card(g, count, Math.min(count, Catalog.DEFAULT_PER_NODE));
    }

    public static Card card(Gpu g, int count, int perNode) {
        return new Card(
                g.id(),
                g.name(),
                g.vendor(),
                g.gpuClass(),
                g.architecture(),
                g.computeCapability() == null ? 0 : g.computeCapability(),
                g.memoryBytes(),
                g.usableBytes(),
                g.nativePrecisions().stream().map(t -> t.id()).collect(Collectors.toSet()),
                count,
                perNode);
    }

    public static Job job(Workload w, Model m) {
        return new Job(
                w.id(),
                m.id(),
                m.family(),
                w.mode().id(),
                m.vision(),
                m.detector(),
                m.batchNorm(),
                m.decoder(),
                m.strideOrPatch(),
                w.resolutionPx() == null ? 0 : w.resolutionPx(),
                w.seqLenTokens() == null ? 0 : w.seqLenTokens(),
                w.optimizer().id(),
                w.globalBatch(),
                w.team(),
                w.priority(),
                w.production(),
                w.finetune().id(),
                w.engine().id());
    }

    static EstimateRequest request(
            Model m, Gpu gpu, Workload w, Precision p, int batch, int res, int seq, Calibration calibration) {
        return new EstimateRequest(
                m,
                gpu,
                w.mode(),
                p,
                batch,
                res == 0 ? null : res,
                seq == 0 ? null : seq,
                w.optimizer(),
                setup(w, p).calibrated(calibration));
    }

    /**
     * The dtype a fine-tuning job's adapters train in when it differs from the frozen base's precision, or null: fp32
     * beside an fp16 LoRA base ({@link Setup#defaultAdapterDtype}).
     */
    public static Precision adapterDtype(Workload w, Precision p) {
        return Setup.defaultAdapterDtype(w.mode(), w.finetune(), p);
    }

    /** What the rules see as {@code PrecisionOption.adapterDtype}: the adapters' dtype with this base, "" without adapters. */
    static String adapterDtypeId(Workload w, Precision p, Gpu gpu) {
        if (w.mode() != Mode.TRAIN || w.finetune() == Finetune.FULL) {
            return "";
        }
        Precision own = adapterDtype(w, p);
        if (own != null) {
            return own.id();
        }
        if (p.quantized()) {
            // the adapters of a 4/8-bit base train in its 16-bit compute dtype
            return gpu.nativePrecisions().stream().anyMatch(t -> t.id().equals("bf16")) ? "bf16" : "fp16";
        }
        return p.stateBytes() == 4 ? "fp32" : p.id();
    }

    /** How the workload runs at precision {@code p}, for the estimator. */
    public static Setup setup(Workload w, Precision p) {
        return setup(w).withAdapterDtype(adapterDtype(w, p));
    }

    /** How the workload runs, for the estimator. */
    public static Setup setup(Workload w) {
        return new Setup(
                        w.finetune(),
                        w.trainableParams(),
                        w.loraRank(),
                        w.gradientCheckpointing(),
                        w.flashAttention(),
                        w.ema(),
                        w.quantization())
                .withFramework(w.framework())
                .withMaxObjects(w.maxObjects());
    }
}
