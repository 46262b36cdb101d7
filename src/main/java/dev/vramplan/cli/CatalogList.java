package dev.vramplan.cli;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.catalog.DataType;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Workload;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.input.Sizes;
import dev.vramplan.input.Suggest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vramplan catalog list}: what the catalog holds, with the facts that matter for planning. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "Lists the catalog's gpus, models and workloads with the facts that matter for planning.",
        footer = {"", "Example: vramplan catalog list gpus --format json"})
final class CatalogList implements Callable<Integer> {

    static final List<String> KINDS = List.of("gpus", "models", "workloads");

    @Parameters(arity = "0..1", paramLabel = "gpus|models|workloads", description = "what to list (default: all three)")
    String kind;

    @Mixin
    CatalogOption catalog;

    @Mixin
    FormatOption output;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (kind != null && !KINDS.contains(kind)) {
            throw new InvalidInputException("catalog list: \"" + kind
                    + "\" is not a list: use gpus, models or workloads." + Suggest.didYouMean(kind, KINDS));
        }
        Catalog c = CatalogLoader.load(catalog.dir());
        Map<String, List<Map<String, Object>>> lists = new LinkedHashMap<>();
        for (String k : kind == null ? KINDS : List.of(kind)) {
            lists.put(
                    k,
                    switch (k) {
                        case "gpus" -> gpus(c);
                        case "models" -> models(c);
                        default -> workloads(c);
                    });
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Json.print(out, kind == null ? lists : lists.get(kind));
            return Exits.OK;
        }
        boolean first = true;
        for (Map.Entry<String, List<Map<String, Object>>> e : lists.entrySet()) {
            if (kind == null) {
                out.println(
                        (first ? "" : "\n") + e.getKey() + " (" + e.getValue().size() + ")");
            }
            first = false;
            table(e.getKey(), e.getValue()).print(out);
        }
        return Exits.OK;
    }

    /** A card: memory as sold and as programs see it, compute capability, native precisions, cards in the fleet. */
    static List<Map<String, Object>> gpus(Catalog c) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Gpu g : c.gpus().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", g.id());
            m.put("name", g.name());
            m.put("vendor", g.vendor());
            m.put("architecture", g.architecture());
            m.put("class", g.gpuClass());
            m.put("memory_bytes", g.memoryBytes());
            m.put("usable_bytes", g.usableBytes());
            m.put("compute_capability", g.computeCapability());
            m.put(
                    "native_precisions",
                    g.nativePrecisions().stream().map(DataType::id).sorted().toList());
            m.put("in_fleet", c.fleetCards().getOrDefault(g.id(), 0));
            out.add(m);
        }
        return out;
    }

    /** A model: parameters as published, family and kind of architecture. */
    static List<Map<String, Object>> models(Catalog c) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Model md : c.models().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", md.id());
            m.put("name", md.name());
            m.put("family", md.family());
            m.put("params", md.publishedParams());
            m.put(
                    "architecture",
                    md.architecture()
                            .getClass()
                            .getSimpleName()
                            .replace("Spec", "")
                            .toLowerCase(Locale.ROOT));
            m.put(
                    "workloads",
                    c.workloads().stream()
                            .filter(w -> w.modelId().equals(md.id()))
                            .count());
            out.add(m);
        }
        return out;
    }

    /** A workload of the fleet: its model, mode, input size and training settings. */
    static List<Map<String, Object>> workloads(Catalog c) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Workload w : c.workloads()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", w.id());
            m.put("model", w.modelId());
            m.put("mode", w.mode().id());
            m.put("resolution", w.resolutionPx());
            m.put("seq_len", w.seqLenTokens());
            m.put("global_batch", w.globalBatch());
            m.put("optimizer", w.optimizer() == null ? null : w.optimizer().id());
            m.put("finetune", w.finetune().id());
            m.put("precisions", w.precisions().stream().map(Precision::id).toList());
            m.put("team", w.team());
            m.put("priority", w.priority());
            m.put("production", w.production());
            out.add(m);
        }
        return out;
    }

    private static Table table(String kind, List<Map<String, Object>> rows) {
        Table t;
        switch (kind) {
            case "gpus" -> {
                t = new Table("id", "name", "memory", "usable", "cc", "architecture", "native precisions", "in fleet");
                rows.forEach(r -> t.add(
                        r.get("id"),
                        r.get("name"),
                        Sizes.human((Long) r.get("memory_bytes")),
                        Sizes.human((Long) r.get("usable_bytes")),
                        r.get("compute_capability"),
                        r.get("architecture"),
                        String.join(" ", cast(r.get("native_precisions"))),
                        r.get("in_fleet")));
            }
            case "models" -> {
                t = new Table("id", "name", "family", "params", "architecture", "workloads");
                rows.forEach(r -> t.add(
                        r.get("id"),
                        r.get("name"),
                        r.get("family"),
                        String.format(Locale.ROOT, "%,d", (Long) r.get("params")),
                        r.get("architecture"),
                        r.get("workloads")));
            }
            default -> {
                t = new Table(
                        "id",
                        "model",
                        "mode",
                        "res/seq",
                        "global batch",
                        "optimizer",
                        "finetune",
                        "team",
                        "production");
                rows.forEach(r -> t.add(
                        r.get("id"),
                        r.get("model"),
                        r.get("mode"),
                        r.get("resolution") != null ? r.get("resolution") + " px" : r.get("seq_len") + " tok",
                        r.get("global_batch"),
                        r.get("optimizer"),
                        r.get("finetune"),
                        r.get("team"),
                        r.get("production")));
            }
        }
        return t;
    }

    @SuppressWarnings("unchecked")
    private static List<String> cast(Object o) {
        return (List<String>) o;
    }
}
