package dev.vramplan.plan;

import dev.vramplan.catalog.Band;
import dev.vramplan.catalog.Bands;
import dev.vramplan.catalog.Calibration;
import dev.vramplan.catalog.Engine;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Offload;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Workload;
import dev.vramplan.estimate.Estimate;
import dev.vramplan.estimate.Parallelism;
import dev.vramplan.rules.Accumulation;
import dev.vramplan.rules.Candidate;
import dev.vramplan.rules.Cell;
import dev.vramplan.rules.Choice;
import dev.vramplan.rules.Judge;
import dev.vramplan.rules.LayoutOption;
import dev.vramplan.rules.PrecisionOption;
import dev.vramplan.rules.Rejection;
import dev.vramplan.rules.Setting;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Plans one cell in one rules session: the card, the job and one option per precision go in; the rules set the batch
 * step and minimum and refuse precisions; the batch search ({@link BatchSearch}) probes candidates; the choice rule
 * picks among survivors; every decision goes into the cell's trail.
 */
final class CellPlanner {
    /** Inputs are stepped down to at most half the target resolution before a cell is called infeasible. */
    static final double MIN_RESOLUTION_SHARE = 0.5;

    private CellPlanner() {}

    static CellPlan plan(
            Judge s,
            Gpu gpu,
            int count,
            int perNode,
            Workload w,
            Model m,
            Calibration calibration,
            Bands bands,
            boolean exhaustive,
            LongAdder candidates) {
        // one small method per step: C2 compiles each on its own, where one method of everything took it seconds,
        // several times over (a large plan's JIT time is a sizeable share of its CPU)
        String cellId = gpu.id() + "/" + w.id();
        List<Decision> trail = new ArrayList<>();
        List<Parallelism> layouts = Layouts.of(count, w, m);
        List<Precision> wanted = w.precisions().isEmpty() ? List.of(Precision.values()) : w.precisions();
        insertFacts(s, cellId, gpu, count, perNode, w, m, layouts, wanted);
        s.fire();
        BatchRules batch = batchRules(s, trail);
        Refusals refusals = refusals(s, layouts, trail);
        List<BatchSearch.Series> series = series(layouts, wanted, refusals, w, m);
        Map<Long, Candidate> all = new HashMap<>();
        Map<Long, Estimate> estimates = new HashMap<>();
        BatchSearch.Probe probe = new BatchSearch.Probe(
                s,
                cellId,
                gpu,
                w,
                m,
                calibration,
                batch.step(),
                batch.powersOfTwoUpTo(),
                batch.minBatch(),
                all,
                estimates,
                trail,
                bands);
        if (exhaustive) {
            BatchSearch.searchAll(s, probe, series);
        } else {
            LazySearch.search(s, probe, series);
        }
        candidates.add(all.size());

        List<Rejection> rejections = candidateRejections(s, all, trail);
        List<Choice> choices = new ArrayList<>(s.facts(Choice.class));
        choices.sort(Comparator.comparingLong(Choice::candidateId));
        if (!choices.isEmpty()) {
            return chosen(s, choices.get(0), all, rejections, estimates, trail, gpu, w, m, probe.band());
        }
        // nothing survived: the rule that ended the last hope decides
        Decision why = series.isEmpty()
                        && refusals.precisions().size() < wanted.size()
                        && !refusals.layouts().isEmpty()
                ? Decision.general(
                        Decision.Kind.INFEASIBLE,
                        null,
                        refusals.layouts().get(0).rule(),
                        "no layout is allowed: " + refusals.layouts().get(0).reason(),
                        refusals.layouts().get(0).precision())
                : InfeasibleReason.of(
                        wanted,
                        refusals.options(),
                        all,
                        rejections,
                        probe.searched,
                        probe.closestBeyondBound,
                        probe.closestBeyondBoundWhy);
        trail.add(why);
        return CellPlan.infeasible(
                gpu.id(), w.id(), m.id(), w.mode(), gpu.usableBytes(), why.rule(), why.reason(), trail);
    }

    /** The batch step and minimum the rules set for the cell. */
    private record BatchRules(int step, int powersOfTwoUpTo, int minBatch) {}

    /** What the rules refused before any candidate: precisions and layouts, with the rejections that did it. */
    private record Refusals(
            Set<String> precisions, List<Rejection> options, List<Rejection> layouts, Set<String> layoutLabels) {}

    /** The card, its layouts, the job, the cell and one option per wanted precision, as facts. */
    private static void insertFacts(
            Judge s,
            String cellId,
            Gpu gpu,
            int count,
            int perNode,
            Workload w,
            Model m,
            List<Parallelism> layouts,
            List<Precision> wanted) {
        s.insert(RuleFacts.card(gpu, count, perNode));
        for (Parallelism l : layouts) {
            s.insert(new LayoutOption(
                    cellId,
                    gpu.id(),
                    w.id(),
                    l.gpus(),
                    l.strategy().id(),
                    l.offload().id()));
        }
        s.insert(RuleFacts.job(w, m));
        s.insert(new Cell(cellId, gpu.id(), w.id()));
        for (Precision p : wanted) {
            s.insert(PrecisionOption.of(cellId, gpu.id(), w.id(), p, RuleFacts.adapterDtypeId(w, p, gpu)));
        }
    }

    /** The settings the rules made, into the trail in rule order; the first batch step and the largest minimum count. */
    private static BatchRules batchRules(Judge s, List<Decision> trail) {
        int step = 1;
        int powersOfTwoUpTo = 0;
        int minBatch = 1;
        List<Setting> settings = new ArrayList<>(s.facts(Setting.class));
        settings.sort(Comparator.comparing(Setting::rule).thenComparing(Setting::name));
        boolean stepSet = false;
        for (Setting st : settings) {
            trail.add(Decision.general(Decision.Kind.SETTING, null, st.rule(), st.reason(), null));
            if (st.name().equals(Setting.BATCH_STEP) && !stepSet) {
                step = st.value();
                powersOfTwoUpTo = st.powersOfTwoUpTo();
                stepSet = true;
            } else if (st.name().equals(Setting.MIN_BATCH)) {
                minBatch = Math.max(minBatch, st.value());
            }
        }
        return new BatchRules(step, powersOfTwoUpTo, minBatch);
    }

    /** Refused precisions (by precision, then rule) and refused layouts (in layout order), into the trail. */
    private static Refusals refusals(Judge s, List<Parallelism> layouts, List<Decision> trail) {
        Set<String> refused = new HashSet<>();
        List<Rejection> optionRejections = new ArrayList<>();
        List<Rejection> layoutRejections = new ArrayList<>();
        for (Rejection r : s.facts(Rejection.class)) {
            (r.candidateId() == Rejection.LAYOUT ? layoutRejections : optionRejections).add(r);
        }
        optionRejections.sort(Comparator.comparing(Rejection::precision).thenComparing(Rejection::rule));
        for (Rejection r : optionRejections) {
            refused.add(r.precision());
            trail.add(Decision.general(Decision.Kind.REJECT, r.precision(), r.rule(), r.reason(), null));
        }
        Set<String> refusedLayouts = new HashSet<>();
        Map<String, Integer> layoutOrder = new HashMap<>();
        for (Parallelism l : layouts) {
            layoutOrder.put(label(l), layoutOrder.size());
        }
        layoutRejections.sort(Comparator.comparing((Rejection r) -> layoutOrder.getOrDefault(r.precision(), -1))
                .thenComparing(Rejection::rule));
        for (Rejection r : layoutRejections) {
            refusedLayouts.add(r.precision());
            trail.add(Decision.general(Decision.Kind.REJECT, null, r.rule(), r.reason(), r.precision()));
        }
        return new Refusals(refused, optionRejections, layoutRejections, refusedLayouts);
    }

    /** The series to search: every allowed layout × precision × input size (other layouts at the target input only). */
    private static List<BatchSearch.Series> series(
            List<Parallelism> layouts, List<Precision> wanted, Refusals refusals, Workload w, Model m) {
        List<BatchSearch.Series> series = new ArrayList<>();
        List<Integer> sizes = sizes(w, m);
        for (Parallelism l : layouts) {
            if (refusals.layoutLabels().contains(label(l))) {
                continue;
            }
            for (Precision p : wanted) {
                if (refusals.precisions().contains(p.id())) {
                    continue;
                }
                for (int size : sizes) {
                    if (CellPlanner.layout(l) != null && size != sizes.get(0)) {
                        // several cards or offload only at the target input: smaller inputs are one card's fallback
                        // (a vision job that fits nowhere would otherwise search every size on every layout)
                        continue;
                    }
                    boolean vision = m.vision();
                    int res = vision ? size : 0;
                    int seq = vision ? 0 : size;
                    boolean target = vision ? size == w.resolutionPx() : size == w.seqLenTokens();
                    series.add(new BatchSearch.Series(p, res, seq, target, l));
                }
            }
        }
        return series;
    }

    /** The rejections of candidates, into the trail in candidate order, then rule. */
    private static List<Rejection> candidateRejections(Judge s, Map<Long, Candidate> all, List<Decision> trail) {
        List<Rejection> rejections = new ArrayList<>();
        for (Rejection r : s.facts(Rejection.class)) {
            if (r.candidateId() >= 0) {
                rejections.add(r);
            }
        }
        rejections.sort(Comparator.comparingLong(Rejection::candidateId).thenComparing(Rejection::rule));
        for (Rejection r : rejections) {
            Candidate c = all.get(r.candidateId());
            trail.add(about(c, Decision.Kind.REJECT, r.rule(), r.reason()));
        }
        return rejections;
    }

    /** The plan of a cell the choice rule chose a candidate for: the others that fit were outranked. */
    private static CellPlan chosen(
            Judge s,
            Choice ch,
            Map<Long, Candidate> all,
            List<Rejection> rejections,
            Map<Long, Estimate> estimates,
            List<Decision> trail,
            Gpu gpu,
            Workload w,
            Model m,
            Band band) {
        Set<Long> rejected = new HashSet<>();
        for (Rejection r : rejections) {
            rejected.add(r.candidateId());
        }
        Candidate c = all.get(ch.candidateId());
        List<Candidate> survivors = new ArrayList<>(all.values());
        survivors.sort(Comparator.comparingLong(Candidate::id));
        for (Candidate o : survivors) {
            if (o.id() != c.id() && !rejected.contains(o.id())) {
                trail.add(outranked(o, c, ch));
            }
        }
        trail.add(about(c, Decision.Kind.CHOOSE, ch.rule(), ch.reason()));
        Integer accum = null;
        for (Accumulation a : s.facts(Accumulation.class)) {
            accum = a.steps();
            trail.add(new Decision(
                    Decision.Kind.SETTING,
                    c.precision(),
                    nz(c.resolutionPx()),
                    nz(c.seqLenTokens()),
                    c.batch(),
                    null,
                    a.rule(),
                    a.reason()));
        }
        if (accum == null && w.mode() == Mode.TRAIN) {
            accum = 1;
        }
        return new CellPlan(
                gpu.id(),
                w.id(),
                m.id(),
                w.mode(),
                true,
                c.precision(),
                nz(c.resolutionPx()),
                nz(c.seqLenTokens()),
                c.batch(),
                accum,
                estimates.get(c.id()),
                gpu.usableBytes(),
                ch.rule(),
                ch.reason(),
                trail,
                c.gpus(),
                c.strategy(),
                c.offload(),
                w.engine() == Engine.VLLM ? c.batch() : null,
                band,
                c.deviceBytesHigh());
    }

    /** A candidate that fits but lost to the chosen one. */
    private static Decision outranked(Candidate o, Candidate c, Choice ch) {
        return about(
                o,
                Decision.Kind.OUTRANKED,
                ch.rule(),
                "fits, but the objective prefers " + c.precision() + " at "
                        + (c.resolutionPx() > 0 ? c.resolutionPx() + " px" : c.seqLenTokens() + " tokens")
                        + ", batch " + c.batch()
                        + (layout(c) != null || layout(o) != null ? " on " + c.getLayout() : ""));
    }

    /** A decision about one candidate: its precision, input, batch, memory and layout, with the rule and why. */
    private static Decision about(Candidate c, Decision.Kind kind, String rule, String reason) {
        return new Decision(
                kind,
                c.precision(),
                nz(c.resolutionPx()),
                nz(c.seqLenTokens()),
                c.batch(),
                c.deviceBytes(),
                rule,
                reason,
                layout(c));
    }

    /** The trail's name for a candidate's layout: null on one card without offload, as before several cards. */
    static String layout(Candidate c) {
        return c.gpus() == 1 && "none".equals(c.offload()) ? null : c.getLayout();
    }

    static String layout(Parallelism l) {
        return l.gpus() == 1 && l.offload() == Offload.NONE ? null : label(l);
    }

    static String label(Parallelism l) {
        return LABELS.computeIfAbsent(
                l,
                p -> LayoutOption.label(p.gpus(), p.strategy().id(), p.offload().id()));
    }

    /** Layout names, asked for several times per cell: a handful of layouts, named once. */
    private static final Map<Parallelism, String> LABELS = new ConcurrentHashMap<>();

    static Integer nz(int v) {
        return v == 0 ? null : v;
    }

    /** Input sizes to try, largest first: the target, then multiples of the stride below it, down to half the target. */
    static List<Integer> sizes(Workload w, Model m) {
        List<Integer> out = new ArrayList<>();
        if (!m.vision()) {
            out.add(w.seqLenTokens());
            return out;
        }
        int target = w.resolutionPx();
        int stride = m.strideOrPatch();
        out.add(target);
        int floor = (int) Math.ceil(target * MIN_RESOLUTION_SHARE);
        for (int r = (target - 1) / stride * stride; r >= Math.max(stride, floor); r -= stride) {
            out.add(r);
        }
        return out;
    }
}
