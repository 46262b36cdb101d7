package dev.vramplan.rules;

import dev.vramplan.input.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The shipped policy (rules/*.drl) written in plain Java, rule for rule and under the same names. It exists
 * to measure what the rules engine costs ({@code vramplan bench}) and to check that the engine decides the
 * same; teams change the DRL, not this. A test plans the shipped fleet both ways and compares cell for cell.
 */
public final class JavaPolicy implements Judge {
    private final List<Card> cards = new ArrayList<>();
    private final List<Job> jobs = new ArrayList<>();
    private final List<Cell> cells = new ArrayList<>();
    private final List<PrecisionOption> options = new ArrayList<>();
    private final List<LayoutOption> layouts = new ArrayList<>();
    private final List<Candidate> candidates = new ArrayList<>();
    private final List<Object> derived = new ArrayList<>();
    private long firings;

    @Override
    public void insert(Object fact) {
        if (fact instanceof Card c) {
            cards.add(c);
        } else if (fact instanceof Job j) {
            jobs.add(j);
        } else if (fact instanceof Cell c) {
            cells.add(c);
        } else if (fact instanceof PrecisionOption o) {
            options.add(o);
        } else if (fact instanceof LayoutOption l) {
            layouts.add(l);
        } else if (fact instanceof Candidate c) {
            candidates.add(c);
        } else {
            throw new IllegalArgumentException(
                    "the Java policy takes no " + fact.getClass().getSimpleName());
        }
    }

    private Card card(String id) {
        for (Card c : cards) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        return null;
    }

    private Job job(String id) {
        for (Job j : jobs) {
            if (j.id().equals(id)) {
                return j;
            }
        }
        return null;
    }

    private static boolean tensor16(Card g) {
        return g.runs("fp16") || g.runs("bf16");
    }

    @Override
    public void fire() {
        List<Object> out = new ArrayList<>();
        for (Cell cell : cells) {
            out.add(new Setting(
                    cell.id(),
                    Setting.BATCH_STEP,
                    0,
                    "Batch sizes are powers of two",
                    "batch sizes are powers of two"));
            Job j = job(cell.job());
            if (j != null && j.isTraining() && j.batchNorm()) {
                out.add(new Setting(
                        cell.id(),
                        Setting.MIN_BATCH,
                        8,
                        "Train BatchNorm models with at least 8 samples per batch",
                        "BatchNorm needs at least 8 samples per batch in training"));
            }
        }
        for (PrecisionOption o : options) {
            Card g = card(o.gpu());
            Job j = job(o.job());
            if (g == null || j == null) {
                continue;
            }
            String p = o.precision();
            boolean amp = p.equals("amp-bf16") || p.equals("amp-fp16");
            if (o.bf16() && g.vendor().equals("nvidia") && g.computeCapability() < 8.0) {
                out.add(reject(o, "bf16 needs compute capability 8.0", "bf16 needs compute capability 8.0 or higher"));
            }
            if (o.fp8() && g.computeCapability() < 8.9 && !g.runs("fp8")) {
                out.add(reject(
                        o,
                        "fp8 needs compute capability 8.9",
                        "fp8 needs compute capability 8.9 or a card that runs fp8 natively"));
            }
            if (o.quantized() && j.isTraining() && !(j.finetune().equals("qlora") && p.equals("int4"))) {
                out.add(reject(
                        o,
                        "Integer and fp8 precisions are for inference only",
                        p + " stores weights below 16 bits: for inference only"));
            }
            if (!p.equals("int4") && j.isTraining() && j.finetune().equals("qlora")) {
                out.add(reject(
                        o, "QLoRA keeps its frozen base in 4 bits", "a qlora job keeps its frozen base in int4"));
            }
            if ((o.fp16() || o.bf16()) && !tensor16(g)) {
                out.add(reject(o, "16-bit precisions need 16-bit tensor units", "the card has no 16-bit tensor units"));
            }
            if (p.equals("fp32") && tensor16(g)) {
                out.add(reject(
                        o, "Use fp32 only on cards without 16-bit tensor units", "the card has 16-bit tensor units"));
            }
            if (amp && j.isInference()) {
                out.add(reject(o, "Mixed precision is for training", "serving keeps no fp32 master weights"));
            }
            if ((p.equals("fp32") || amp) && j.isTraining() && j.finetune().equals("lora") && tensor16(g)) {
                out.add(reject(
                        o, "A frozen LoRA base stays in 16 bits", "a frozen LoRA base needs no fp32 master weights"));
            }
            if (p.equals("fp16") && !o.adapterDtype().equals("fp32") && j.isTraining()) {
                out.add(reject(o, "Training never below mixed precision or bf16", "pure fp16 training underflows"));
            }
            if (p.equals("int4") && j.isInference() && j.production()) {
                out.add(reject(
                        o, "Production serving never below int8", "production serving keeps at least 8-bit weights"));
            }
            if (j.production() && g.isConsumer()) {
                out.add(reject(
                        o, "No consumer cards for production", "production workloads do not run on consumer cards"));
            }
        }
        for (LayoutOption l : layouts) {
            Card g = card(l.gpu());
            Job j = job(l.job());
            if (g != null && l.gpus() > 1 && l.gpus() > g.perNode()) {
                out.add(new Rejection(
                        l.cell(), Rejection.LAYOUT, l.label(), "Shard only within one server", "GPUs span servers"));
            }
            if (j != null && l.strategy().equals("tp") && j.isTraining()) {
                out.add(new Rejection(
                        l.cell(),
                        Rejection.LAYOUT,
                        l.label(),
                        "Tensor parallel is for serving",
                        "tensor parallelism is for serving"));
            }
        }
        List<Candidate> survivors = new ArrayList<>();
        for (Candidate c : candidates) {
            Job j = job(c.job());
            int before = out.size();
            if (c.deviceBytes() > c.usableBytes()) {
                out.add(reject(c, "A job must fit in the card's memory", "needs " + Sizes.human(c.deviceBytes())));
            }
            if (c.deviceBytes() > c.usableBytes() * 0.90) {
                out.add(reject(c, "Keep 10% of memory free", "more than 90% of the card"));
            }
            if (j != null
                    && j.isInference()
                    && !j.engine().equals("vllm")
                    && c.deviceBytes() > c.usableBytes() * 0.80) {
                out.add(reject(c, "Serving keeps 20% of memory free", "more than 80% of the card"));
            }
            if (j != null && j.detector() && c.resolutionPx() % j.stride() != 0) {
                out.add(reject(c, "Detector resolutions are multiples of the stride", "not a multiple of the stride"));
            }
            if (j != null && j.isTraining() && j.globalBatch() > 0 && c.getSamplesPerStep() > j.globalBatch()) {
                out.add(reject(c, "A training batch never exceeds the global batch", "above the global batch"));
            }
            if (j != null
                    && j.team().equals("vision")
                    && j.isTraining()
                    && j.detector()
                    && c.resolutionPx() < j.resolutionPx()) {
                out.add(reject(
                        c,
                        "The vision team trains detectors at their target resolution",
                        "below the target resolution"));
            }
            if (out.size() == before) {
                survivors.add(c);
            }
        }
        boolean plainFits = false;
        for (Candidate c : survivors) {
            plainFits |= !c.isOffloaded();
        }
        if (plainFits) {
            List<Candidate> kept = new ArrayList<>();
            for (Candidate c : survivors) {
                if (c.isOffloaded()) {
                    out.add(reject(c, "Offload only when nothing else fits", "a layout without offload fits"));
                } else {
                    kept.add(c);
                }
            }
            survivors = kept;
        }
        for (Candidate c : survivors) {
            boolean beaten = false;
            for (Candidate o : survivors) {
                if (o.cell().equals(c.cell()) && o.id() != c.id() && better(o, c)) {
                    beaten = true;
                    break;
                }
            }
            if (!beaten) {
                out.add(new Choice(
                        c.cell(),
                        c.id(),
                        "Prefer the fewest cards",
                        c.precision() + ", batch " + c.batch() + ": the best candidate no rule rejected"));
                Job j = job(c.job());
                if (j != null && j.isTraining() && j.globalBatch() > c.getSamplesPerStep()) {
                    out.add(Accumulation.keep("Keep the global batch with gradient accumulation", c, j.globalBatch()));
                }
            }
        }
        firings += out.size();
        derived.clear();
        derived.addAll(out);
    }

    /** The shipped objective's order: cards, then precision, then input size, then batch, then the simpler strategy. */
    static boolean better(Candidate o, Candidate c) {
        if (o.gpus() != c.gpus()) {
            return o.gpus() < c.gpus();
        }
        int so = o.resolutionPx() + o.seqLenTokens();
        int sc = c.resolutionPx() + c.seqLenTokens();
        return o.rank() < c.rank()
                || o.rank() == c.rank() && so > sc
                || o.rank() == c.rank() && so == sc && o.batch() > c.batch()
                || o.rank() == c.rank()
                        && so == sc
                        && o.batch() == c.batch()
                        && o.getStrategyRank() < c.getStrategyRank();
    }

    private static Rejection reject(PrecisionOption o, String rule, String reason) {
        return new Rejection(o.cell(), -1, o.precision(), rule, reason);
    }

    private static Rejection reject(Candidate c, String rule, String reason) {
        return new Rejection(c.cell(), c.id(), c.precision(), rule, reason);
    }

    @Override
    public <T> List<T> facts(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Object o : derived) {
            if (type.isInstance(o)) {
                out.add(type.cast(o));
            }
        }
        return out;
    }

    @Override
    public long firings() {
        return firings;
    }

    @Override
    public void close() {
        // nothing to release
    }

    /** The rule names this twin implements: a test checks them against the shipped DRL. */
    public static final Set<String> RULES = Set.of(
            "A job must fit in the card's memory",
            "Keep 10% of memory free",
            "Serving keeps 20% of memory free",
            "bf16 needs compute capability 8.0",
            "fp8 needs compute capability 8.9",
            "Integer and fp8 precisions are for inference only",
            "QLoRA keeps its frozen base in 4 bits",
            "16-bit precisions need 16-bit tensor units",
            "Use fp32 only on cards without 16-bit tensor units",
            "Mixed precision is for training",
            "A frozen LoRA base stays in 16 bits",
            "Training never below mixed precision or bf16",
            "Production serving never below int8",
            "Batch sizes are powers of two",
            "Train BatchNorm models with at least 8 samples per batch",
            "Detector resolutions are multiples of the stride",
            "A training batch never exceeds the global batch",
            "No consumer cards for production",
            "The vision team trains detectors at their target resolution",
            "Prefer the fewest cards",
            "Keep the global batch with gradient accumulation",
            "Shard only within one server",
            "Tensor parallel is for serving",
            "Offload only when nothing else fits");
}
