package dev.vramplan.plan;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Engine;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fleet of N card types × M workloads in both modes, made from a catalog's own entries (cards repeated under
 * new ids, models and input sizes cycled), for the benchmark. Card counts cycle through 1, 2, 4 and 8 (so jobs that
 * outgrow one card plan on several), and every third decoder served is served by vLLM. Deterministic: the same N and
 * M give the same fleet.
 */
public final class SyntheticFleet {
    private static final int[] RESOLUTIONS = {320, 416, 512, 640, 768, 1024, 1280};
    private static final int[] SEQ_LENS = {512, 1024, 2048, 4096, 8192};
    private static final String[] TEAMS = {"vision", "llm", "research"};
    private static final int[] COUNTS = {1, 2, 4, 8};

    private SyntheticFleet() {}

    public static Catalog of(Catalog base, int cardTypes, int workloads) {
        List<Gpu> gpus = new ArrayList<>(base.gpus().values());
        Map<String, Gpu> cards = new LinkedHashMap<>();
        Map<String, Integer> fleet = new LinkedHashMap<>();
        for (int i = 0; i < cardTypes; i++) {
            Gpu g = gpus.get(i % gpus.size());
            String id = i < gpus.size() ? g.id() : g.id() + "-" + (i / gpus.size());
            cards.put(
                    id,
                    new Gpu(
                            id,
                            g.name(),
                            g.vendor(),
                            g.gpuClass(),
                            g.architecture(),
                            g.computeCapability(),
                            g.memoryBytes(),
                            g.usableBytes(),
                            g.bandwidthGBps(),
                            g.tdpWatts(),
                            g.nativePrecisions(),
                            g.peakDenseTflops(),
                            g.runtimeBytes()));
            fleet.put(id, COUNTS[i % COUNTS.length]);
        }
        List<Model> models = new ArrayList<>(base.models().values());
        List<Workload> list = new ArrayList<>();
        for (int i = 0; i < workloads; i++) {
            Model m = models.get(i % models.size());
            for (Mode mode : Mode.values()) {
                boolean train = mode == Mode.TRAIN;
                Integer res = m.vision() ? RESOLUTIONS[(i / models.size()) % RESOLUTIONS.length] : null;
                Integer seq = m.vision() ? null : SEQ_LENS[(i / models.size()) % SEQ_LENS.length];
                Engine engine = !train && m.decoder() && i % 3 == 1 ? Engine.VLLM : Engine.HF;
                list.add(new Workload(
                        "w" + i + "-" + mode.id(),
                        m.id(),
                        mode,
                        res,
                        seq,
                        !train ? Optimizer.NONE : m.vision() ? Optimizer.SGD : Optimizer.ADAMW,
                        64,
                        TEAMS[i % TEAMS.length],
                        "normal",
                        !train && i % 4 == 0,
                        List.of(),
                        Finetune.FULL,
                        null,
                        null,
                        false,
                        true,
                        train && m.detector(),
                        null,
                        null,
                        null,
                        engine,
                        Workload.DEFAULT_GPU_MEMORY_UTILIZATION));
            }
        }
        return new Catalog(cards, base.models(), fleet, list, base.calibrations(), base.bands());
    }
}
