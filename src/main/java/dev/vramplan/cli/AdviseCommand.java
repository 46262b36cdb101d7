package dev.vramplan.cli;

import dev.vramplan.answer.Choices;
import dev.vramplan.answer.PlanAnswers;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.catalog.CnnSpec;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.TransformerSpec;
import dev.vramplan.catalog.Workload;
import dev.vramplan.estimate.Estimate;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.input.Suggest;
import dev.vramplan.plan.CellPlan;
import dev.vramplan.plan.Planner;
import dev.vramplan.rules.RuleBase;
import dev.vramplan.store.StoredCell;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Plans one workload, given on the command line, under the team's rules: the fleet is not edited and nothing is
 * stored. The answer has the keys of {@code query}'s.
 */
@Command(
        name = "advise",
        mixinStandardHelpOptions = true,
        description = {
            "Plans one workload under the team's rules, on one card or every card of the fleet, without storing anything.",
            "Settings not given come from the fleet's first workload of the same model and mode (and fine-tuning, if given);"
                    + " without one: the model's usual input (640 px for YOLO, 224 px for CNNs, a ViT's image size,"
                    + " 2048 tokens or the model's positions if fewer), adamw when training, global batch 64 for"
                    + " vision models and 16 for text models, full training."
        },
        footer = {
            "",
            "Example: vramplan advise --model llama-3-8b --mode train --finetune lora --seq-len 4096",
            "Exit code 2 for an unknown model or card, 3 when nothing is feasible."
        })
final class AdviseCommand implements Callable<Integer> {

    /** A vision model's global batch without a fleet workload: Ultralytics' nominal batch size ({@code nbs=64}). */
    static final int VISION_GLOBAL_BATCH = 64;
    /** A text model's global batch without a fleet workload: LitGPT's fine-tuning default ({@code global_batch_size=16}). */
    static final int TEXT_GLOBAL_BATCH = 16;
    /** Tokens per sample of a text model without a fleet workload (or its positions, if fewer). */
    static final int TEXT_SEQ_LEN = 2048;
    /** The workload's id when no fleet workload lends its settings. */
    static final String ADVISE_ID = "advise";

    @Option(names = "--model", required = true, paramLabel = "ID")
    String model;

    @Option(names = "--gpu", paramLabel = "ID", description = "card id (default: every card of the fleet)")
    String gpu;

    @Option(names = "--mode", required = true, paramLabel = "train|inference")
    String mode;

    @Option(names = "--resolution", paramLabel = "PX", description = "input side in pixels (vision models)")
    Integer resolution;

    @Option(names = "--seq-len", paramLabel = "N", description = "tokens per sample (text models)")
    Integer seqLen;

    @Option(names = "--optimizer", paramLabel = "O", description = "adamw, adamw-8bit, sgd, adafactor or none")
    String optimizer;

    @Option(names = "--finetune", paramLabel = "M", description = "full, lora or qlora")
    String finetune;

    @Option(
            names = "--global-batch",
            paramLabel = "N",
            description = "samples per optimizer step, all cards and accumulation together")
    Integer globalBatch;

    @Option(
            names = "--explain",
            description = "add what lost and why (JSON: a decisions list, as 'explain --format json')")
    boolean explain;

    @Mixin
    FormatOption output;

    @Mixin
    CatalogOption catalog;

    @Mixin
    RulesOption rules;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Choices.range("--resolution", resolution, Limits.MIN_RESOLUTION, Limits.MAX_RESOLUTION);
        Choices.range("--seq-len", seqLen, 1, Limits.MAX_SEQ_LEN);
        Choices.range("--global-batch", globalBatch, 1, Limits.MAX_GLOBAL_BATCH);
        Mode m = Choices.choice("--mode", mode, Mode.class);
        Optimizer o = optimizer == null ? null : Choices.choice("--optimizer", optimizer, Optimizer.class);
        Finetune ft = finetune == null ? null : Choices.choice("--finetune", finetune, Finetune.class);
        Catalog c = CatalogLoader.load(catalog.dir());
        Model md = c.model(model);
        if (md == null) {
            throw new InvalidInputException("--model: unknown model \"" + model + "\"."
                    + Suggest.didYouMean(model, c.models().keySet()));
        }
        Map<String, Integer> cards = new LinkedHashMap<>();
        if (gpu != null) {
            Gpu g = c.gpu(gpu);
            if (g == null) {
                throw new InvalidInputException("--gpu: unknown gpu \"" + gpu + "\"."
                        + Suggest.didYouMean(gpu, c.gpus().keySet()));
            }
            cards.put(g.id(), c.fleetCards().getOrDefault(g.id(), 1));
        } else {
            cards.putAll(c.fleetCards());
        }
        Workload w = workload(c, md, m, o, ft);
        RuleBase rb = RuleBase.load(rules.dir());
        Catalog one = new Catalog(c.gpus(), c.models(), cards, List.of(w), c.calibrations(), c.bands());
        List<StoredCell> cells = new ArrayList<>();
        for (CellPlan p : new Planner(rb).plan(one).cells()) {
            cells.add(stored(p));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (StoredCell s : cells) {
                Map<String, Object> j = PlanAnswers.json(s);
                j.put("run", null); // nothing is stored
                if (explain) {
                    j.put("decisions", PlanAnswers.decisions(s));
                }
                list.add(j);
            }
            Json.print(out, list);
        } else {
            QueryCommand.printTable(cells, out);
            if (explain) {
                for (StoredCell s : cells) {
                    out.println();
                    ExplainCommand.printText(s, ", not stored", out);
                }
            }
        }
        if (cells.stream().noneMatch(StoredCell::feasible)) {
            throw new Exits.NothingFeasible(
                    "nothing feasible for model " + model + (gpu == null ? " on any card of the fleet" : " on " + gpu)
                            + ": " + cells.get(0).reason());
        }
        return Exits.OK;
    }

    /**
     * The workload as a fleet.yaml entry would give it: the options, then the fleet's first workload of the same model
     * and mode (and fine-tuning, when given), then the defaults of the command's description.
     */
    Workload workload(Catalog c, Model md, Mode m, Optimizer o, Finetune ft) {
        Workload base = null;
        for (Workload fw : c.workloads()) {
            if (fw.modelId().equals(md.id()) && fw.mode() == m && (ft == null || fw.finetune() == ft)) {
                base = fw;
                break;
            }
        }
        if (md.vision() && seqLen != null || !md.vision() && resolution != null) {
            throw new InvalidInputException(
                    md.vision()
                            ? "--seq-len: " + model + " takes images: give --resolution"
                            : "--resolution: " + model + " takes text: give --seq-len");
        }
        Finetune f = ft != null ? ft : base != null ? base.finetune() : Finetune.FULL;
        if (m == Mode.INFERENCE && f != Finetune.FULL) {
            throw new InvalidInputException(
                    "--finetune: " + f.id() + " is a way of training: inference has no finetune");
        }
        if (md.vision() && f != Finetune.FULL) {
            throw new InvalidInputException(
                    "--finetune: " + f.id() + " adapters apply to transformers; \"" + model + "\" is a CNN");
        }
        if (m == Mode.INFERENCE && o != null && o != Optimizer.NONE) {
            throw new InvalidInputException("--optimizer: inference has no optimizer: leave it out or give none");
        }
        Optimizer opt =
                o != null ? o : base != null ? base.optimizer() : m == Mode.TRAIN ? Optimizer.ADAMW : Optimizer.NONE;
        Integer res = null;
        Integer seq = null;
        if (md.vision()) {
            res = resolution != null ? resolution : base != null ? base.resolutionPx() : usualResolution(md);
        } else {
            seq = seqLen != null ? seqLen : base != null ? base.seqLenTokens() : usualSeqLen(md);
            if (md.architecture() instanceof TransformerSpec t
                    && seq > t.maxPositions()
                    && t.maxPositions() > 0
                    && "learned".equals(t.position())) {
                throw new InvalidInputException("--seq-len: " + seq + " is longer than the " + t.maxPositions()
                        + " positions \"" + model + "\" has learned");
            }
        }
        int global = globalBatch != null
                ? globalBatch
                : base != null ? base.globalBatch() : md.vision() ? VISION_GLOBAL_BATCH : TEXT_GLOBAL_BATCH;
        if (base == null) {
            return new Workload(
                    ADVISE_ID, md.id(), m, res, seq, opt, global, "", "normal", false, List.of(), f, null, null, false,
                    true, false, null);
        }
        boolean sameAdapters = f == base.finetune();
        return new Workload(
                base.id(),
                md.id(),
                m,
                res,
                seq,
                opt,
                global,
                base.team(),
                base.priority(),
                base.production(),
                base.precisions(),
                f,
                sameAdapters ? base.trainableParams() : null,
                sameAdapters ? base.loraRank() : null,
                base.gradientCheckpointing(),
                base.flashAttention(),
                base.ema(),
                base.quantization(),
                base.framework(),
                base.maxObjects());
    }

    /** 640 px for YOLO (Ultralytics' default imgsz), 224 px for the ImageNet CNNs, a ViT's own image size. */
    static int usualResolution(Model md) {
        if (md.architecture() instanceof TransformerSpec t && t.imageSize() > 0) {
            return t.imageSize();
        }
        return md.architecture() instanceof CnnSpec || md.architecture() instanceof TransformerSpec ? 224 : 640;
    }

    /** 2048 tokens, or the model's positions where it has fewer. */
    static int usualSeqLen(Model md) {
        if (md.architecture() instanceof TransformerSpec t && t.maxPositions() > 0) {
            return Math.min(TEXT_SEQ_LEN, t.maxPositions());
        }
        return TEXT_SEQ_LEN;
    }

    /** A planned cell as {@code query} and {@code explain} show a stored one (run 0: nothing is stored). */
    static StoredCell stored(CellPlan p) {
        Estimate e = p.estimate();
        Map<String, Long> breakdown = null;
        if (e != null) {
            breakdown = new LinkedHashMap<>();
            for (var b : e.breakdown().entrySet()) {
                breakdown.put(b.getKey().id(), b.getValue());
            }
        }
        return new StoredCell(
                0,
                p.gpuId(),
                p.workloadId(),
                p.modelId(),
                p.mode().id(),
                p.feasible(),
                p.precision(),
                p.resolutionPx(),
                p.seqLenTokens(),
                p.batch(),
                p.gradAccumSteps(),
                e == null ? null : e.peakAllocatedBytes(),
                e == null ? null : e.reservedBytes(),
                e == null ? null : e.deviceBytes(),
                p.usableBytes(),
                p.utilization(),
                breakdown,
                p.rule(),
                p.reason(),
                p.trail(),
                null,
                null,
                null,
                p.gpus(),
                p.strategy(),
                p.offload(),
                p.maxConcurrentSequences(),
                p.deviceBytesHigh(),
                p.band() == null ? null : p.band().confidence(),
                p.band() == null ? null : p.band().group(),
                p.band() == null ? null : p.band().points());
    }
}
