package dev.vramplan.catalog;

import dev.vramplan.input.InvalidInputException;
import dev.vramplan.input.Named;
import dev.vramplan.input.Sizes;
import dev.vramplan.input.Fields;
import dev.vramplan.input.Problems;
import dev.vramplan.input.Shown;
import dev.vramplan.input.Suggest;
import dev.vramplan.input.Yaml;
import dev.vramplan.input.Yaml.ListNode;
import dev.vramplan.input.Yaml.Node;
import dev.vramplan.input.Yaml.ScalarNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads {@code gpus.yaml}, {@code models.yaml} (and any {@code models-*.yaml}) and {@code fleet.yaml}
 * from a catalog folder, strictly: every unknown field, wrong type, missing field, duplicate id,
 * unknown reference and impossible value is reported with file, line, column and field path.
 * {@link #load} throws {@link InvalidInputException} with all problems; {@link #check} returns them.
 */
public final class CatalogLoader {
    public static final String GPUS = "gpus.yaml";
    public static final String MODELS = "models.yaml";
    public static final String FLEET = "fleet.yaml";
    public static final String CALIBRATION = "calibration.yaml";

    private static final Pattern RATE = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(GB/s|TB/s)\\s*");
    private static final Pattern WATTS = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*W\\s*");
    private static final List<String> VENDORS = List.of("nvidia", "amd");
    private static final List<String> CLASSES = List.of("datacenter", "workstation", "consumer");

    private Problems problems = new Problems();
    private final Path dir;

    private CatalogLoader(Path dir) {
        this.dir = dir;
    }

    /** The catalog, or an {@link InvalidInputException} naming every problem. */
    public static Catalog load(Path dir) {
        CatalogLoader l = new CatalogLoader(dir);
        Catalog c = l.read();
        l.problems.throwIfAny();
        return c;
    }

    /**
     * How far a published parameter count may be from the count derived from the architecture before it is worth a
     * warning: 2%, the estimator's contract (the shipped entries hold 1%, see ParamCountTest).
     */
    public static final double PARAMS_TOLERANCE = 0.02;

    /** A catalog's problems (it does not load) and warnings (it loads, but something looks wrong), each in file order. */
    public record Report(List<Problems.Problem> problems, List<Problems.Problem> warnings) {
        public Report {
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Every problem of the catalog, and a warning for each model whose {@code published_params} is more than
     * {@link #PARAMS_TOLERANCE} away from the count {@code derivedParams} gives for its architecture (the estimator's,
     * passed in: the catalog does not depend on it).
     */
    public static Report check(Path dir, java.util.function.ToLongFunction<Architecture> derivedParams) {
        CatalogLoader l = new CatalogLoader(dir);
        Catalog c = l.read();
        List<Problems.Problem> warnings = new ArrayList<>();
        if (c != null) {
            for (Model m : c.models().values()) {
                Yaml.Loc loc = l.publishedLocs.get(m.id());
                String warning = paramsWarning(m, derivedParams.applyAsLong(m.architecture()));
                if (loc != null && warning != null) {
                    warnings.add(new Problems.Problem(loc, "", warning));
                }
            }
            warnings.sort(Comparator.comparing((Problems.Problem p) -> p.loc().file())
                    .thenComparingInt(p -> p.loc().line()).thenComparingInt(p -> p.loc().column()));
        }
        return new Report(l.problems.sorted(), warnings);
    }

    /**
     * {@code my-llama: published_params 8,030,261,248 is 8.1% above the 7,430,000,000 derived from the architecture
     * (more than 2%): check the architecture or the published count}, or null within the tolerance.
     */
    public static String paramsWarning(Model m, long derived) {
        if (derived <= 0 || Math.abs((double) m.publishedParams() / derived - 1) <= PARAMS_TOLERANCE) {
            return null;
        }
        double pct = 100.0 * Math.abs(m.publishedParams() - (double) derived) / derived;
        return String.format(Locale.ROOT, "%s: published_params %,d is %.1f%% %s the %,d derived from the architecture"
                        + " (more than %.0f%%): check the architecture or the published count", m.id(), m.publishedParams(), pct,
                m.publishedParams() > derived ? "above" : "below", derived, 100 * PARAMS_TOLERANCE);
    }

    /** Every problem of the catalog in file order; empty when it is valid. */
    public static List<Problems.Problem> check(Path dir) {
        CatalogLoader l = new CatalogLoader(dir);
        l.read();
        return l.problems.sorted();
    }

    private static String display(Path file) {
        return Shown.path(file);
    }

    private Catalog read() {
        Yaml.Loc dirLoc = new Yaml.Loc(display(dir), 1, 1);
        if (!Files.isDirectory(dir)) {
            problems.add(dirLoc, "", "the catalog folder does not exist (give one with --catalog DIR)");
            return null;
        }
        Map<String, Gpu> gpus = new LinkedHashMap<>();
        Map<String, Yaml.Loc> gpuLocs = new LinkedHashMap<>();
        Node g = readFile(GPUS, true);
        gpusUnreadable = g == null || !readList(g, "gpus", (f, path) -> {
            declared(f, declaredGpus);
            Gpu gpu = gpu(f);
            putUnique(gpus, gpuLocs, gpu == null ? null : gpu.id(), gpu, f, path);
        });
        Map<String, Model> models = new LinkedHashMap<>();
        Map<String, Yaml.Loc> modelLocs = new LinkedHashMap<>();
        List<String> modelFiles = new ArrayList<>();
        modelFiles.add(MODELS);
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("models-") && n.endsWith(".yaml"))
                    .sorted().forEach(modelFiles::add);
        } catch (IOException e) {
            problems.add(dirLoc, "", "cannot be listed: " + e.getMessage());
        }
        for (String file : modelFiles) {
            Node m = readFile(file, file.equals(MODELS));
            boolean read = m != null && readList(m, "models", (f, path) -> {
                declared(f, declaredModels);
                Model model = ModelReader.model(f);
                putUnique(models, modelLocs, model == null ? null : model.id(), model, f, path);
                if (model != null && !publishedLocs.containsKey(model.id())) {
                    publishedLocs.put(model.id(), f.locOf("published_params"));
                }
            });
            if (!read && file.equals(MODELS)) {
                modelsUnreadable = true;
            }
        }
        Map<String, Integer> cards = new LinkedHashMap<>();
        List<Workload> workloads = new ArrayList<>();
        Node fl = readFile(FLEET, true);
        if (fl != null) {
            readFleet(fl, gpus, models, cards, workloads);
        }
        List<Calibration> calibrations = new ArrayList<>();
        Node cal = readFile(CALIBRATION, false);
        if (cal != null) {
            readList(cal, "calibration", (f, path) -> {
                Calibration c = calibration(f, models);
                if (c != null) {
                    calibrations.add(c);
                }
            });
        }
        return new Catalog(gpus, models, cards, workloads, calibrations, perNodes);
    }

    private Calibration calibration(Fields f, Map<String, Model> models) {
        int before = problems.size();
        boolean byModel = f.has("model");
        String key = byModel ? f.string("model") : f.string("family");
        if (byModel && key != null && !declaredModels.contains(key)) {
            f.problem("model", "unknown model \"" + key + "\"." + Suggest.didYouMean(key, models.keySet()));
        }
        if (!byModel && key != null && models.values().stream().noneMatch(m -> m.family().equals(key)) && !models.isEmpty()) {
            java.util.Set<String> families = new java.util.TreeSet<>();
            models.values().forEach(m -> families.add(m.family()));
            f.problem("family", "no model has family \"" + key + "\"." + Suggest.didYouMean(key, families));
        }
        Double factor = f.number("activation_factor", 0.01, 100, null);
        List<String> points = f.strings("points", false);
        String source = f.string("source", "");
        if (problems.size() > before || key == null || factor == null) {
            return null;
        }
        return new Calibration(byModel ? "model" : "family", key, factor, points, source);
    }

    /** Where each model's published_params is (the first entry of an id), for warnings. */
    private final Map<String, Yaml.Loc> publishedLocs = new LinkedHashMap<>();

    /** Ids written in a file, valid entries or not: a reference to them is not "unknown". */
    private final java.util.Set<String> declaredGpus = new java.util.HashSet<>();
    private final java.util.Set<String> declaredModels = new java.util.HashSet<>();
    private boolean gpusUnreadable;
    private boolean modelsUnreadable;

    private static void declared(Fields f, java.util.Set<String> into) {
        if (f.raw().entries().get("id") != null && f.raw().entries().get("id").value() instanceof ScalarNode s && s.text() != null) {
            into.add(s.text());
        }
    }

    private Node readFile(String name, boolean required) {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            if (required) {
                problems.add(new Yaml.Loc(display(file), 1, 1), "", "is missing from the catalog folder");
            }
            return null;
        }
        return Yaml.read(file, display(file), "catalog file", problems);
    }

    private interface ItemReader {
        void read(Fields f, String path);
    }

    /** Reads the top-level {@code key:} list of a file, item by item; false when there is no such list. */
    private boolean readList(Node root, String key, ItemReader reader) {
        Fields top = Fields.of(root, "", problems);
        if (top == null) {
            return false;
        }
        ListNode list = top.list(key, true);
        top.finish();
        if (list == null) {
            return false;
        }
        for (int i = 0; i < list.items().size(); i++) {
            String path = key + "[" + i + "]";
            Fields f = Fields.of(list.items().get(i), path, problems);
            if (f != null) {
                reader.read(f, path);
                f.finish();
            }
        }
        return true;
    }

    private <T> void putUnique(Map<String, T> into, Map<String, Yaml.Loc> locs, String id, T value, Fields f, String path) {
        if (id == null || value == null) {
            return;
        }
        Yaml.Loc prev = locs.get(id);
        if (prev != null) {
            f.problem("id", "duplicate id \"" + id + "\": already defined at " + prev);
            return;
        }
        locs.put(id, f.locOf("id"));
        into.put(id, value);
    }

    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    /** Ids are lowercase names: they appear on command lines and in rules. */
    static String id(Fields f) {
        String id = f.string("id");
        if (id != null && !ID.matcher(id).matches()) {
            f.problem("id", "\"" + id + "\" is not a valid id: use lowercase letters, digits, '.', '_' and '-'");
            return null;
        }
        return id;
    }

    private Gpu gpu(Fields f) {
        int before = problems.size();
        String id = id(f);
        String name = f.string("name");
        String vendor = f.choice("vendor", VENDORS, v -> VENDORS.contains(v) ? v : null, null);
        String cls = f.choice("class", CLASSES, v -> CLASSES.contains(v) ? v : null, "datacenter");
        String arch = f.string("architecture");
        Double cc = f.number("compute_capability", 1.0, 20.0, Double.NaN);
        if (cc != null && cc.isNaN()) {
            cc = null;
        }
        if ("nvidia".equals(vendor) && cc == null && !f.has("compute_capability")) {
            f.problem("compute_capability", "is required for NVIDIA cards (e.g. 8.6)");
        }
        Long memory = f.size("memory", true);
        Long usable = f.size("usable_memory", true);
        if (memory != null && usable != null && usable > memory * 11 / 10) {
            // consumer datasheets round GiB down to "GB" (a GTX 1060's "6 GB" is 6 GiB, 7% more): 10% is allowed
            f.problem("usable_memory", Sizes.human(usable) + " is more than 10% above the memory sold (" + Sizes.human(memory) + ")");
            usable = null;
        }
        Double bandwidth = rate(f, "memory_bandwidth");
        Double tdp = watts(f, "tdp");
        Set<DataType> natives = EnumSet.noneOf(DataType.class);
        natives.addAll(f.names("native_precisions", true, DataType.class));
        Map<DataType, Double> peaks = new EnumMap<>(DataType.class);
        Fields pf = f.map("peak_dense_tflops", false);
        if (pf != null) {
            for (DataType t : DataType.values()) {
                Double v = pf.number(t.id(), 0.001, 1_000_000, Double.NaN);
                if (v != null && !v.isNaN()) {
                    peaks.put(t, v);
                }
            }
            pf.finish();
        }
        Long runtime = f.size("runtime_overhead", false);
        if (problems.size() > before || id == null || memory == null || usable == null) {
            return null;
        }
        return new Gpu(id, name, vendor, cls, arch, cc, memory, usable, bandwidth == null ? 0 : bandwidth, tdp,
                natives, peaks, runtime);
    }

    private static Double rate(Fields f, String key) {
        String s = f.string(key, null);
        if (s == null) {
            if (!f.has(key)) {
                f.problem(key, "is required but missing");
            }
            return null;
        }
        Matcher m = RATE.matcher(s);
        if (!m.matches()) {
            f.problem(key, "\"" + s + "\" is not a bandwidth: write e.g. \"600 GB/s\" or \"3.35 TB/s\"");
            return null;
        }
        double v = Double.parseDouble(m.group(1)) * (m.group(2).equals("TB/s") ? 1000 : 1);
        if (v <= 0 || v > 100_000) {
            f.problem(key, "\"" + s + "\" is out of range (0 to 100 TB/s)");
            return null;
        }
        return v;
    }

    private static Double watts(Fields f, String key) {
        String s = f.string(key, null);
        if (s == null) {
            return null;
        }
        Matcher m = WATTS.matcher(s);
        if (!m.matches() || Double.parseDouble(m.group(1)) <= 0 || Double.parseDouble(m.group(1)) > 10_000) {
            f.problem(key, "\"" + s + "\" is not a power: write e.g. \"300 W\"");
            return null;
        }
        return Double.parseDouble(m.group(1));
    }

    private void readFleet(Node root, Map<String, Gpu> gpus, Map<String, Model> models, Map<String, Integer> cards,
                           List<Workload> workloads) {
        Fields top = Fields.of(root, "", problems);
        if (top == null) {
            return;
        }
        ListNode cl = top.list("cards", true);
        ListNode wl = top.list("workloads", true);
        top.finish();
        if (cl != null) {
            Map<String, Yaml.Loc> seen = new LinkedHashMap<>();
            for (int i = 0; i < cl.items().size(); i++) {
                Fields f = Fields.of(cl.items().get(i), "cards[" + i + "]", problems);
                if (f == null) {
                    continue;
                }
                String gpu = f.string("gpu");
                long count = f.integer("count", 1, 1_000_000, 1L);
                Long perNode = f.optInteger("per_node", 1, 1_000_000);
                f.finish();
                if (perNode != null && perNode > count) {
                    f.problem("per_node", perNode + " GPUs per server is more than the fleet's count of " + count);
                }
                if (gpu == null) {
                    continue;
                }
                if (!declaredGpus.contains(gpu) && !gpusUnreadable) {
                    f.problem("gpu", "unknown gpu \"" + gpu + "\" (not in " + GPUS + ")." + Suggest.didYouMean(gpu, gpus.keySet()));
                } else if (!gpus.containsKey(gpu)) {
                    continue;   // the card's own entry is wrong and reported there
                } else if (seen.containsKey(gpu)) {
                    f.problem("gpu", "\"" + gpu + "\" is listed twice: already at " + seen.get(gpu) + "; add up the counts");
                } else {
                    seen.put(gpu, f.locOf("gpu"));
                    cards.put(gpu, (int) count);
                    if (perNode != null) {
                        perNodes.put(gpu, perNode.intValue());
                    }
                }
            }
        }
        if (wl != null) {
            Map<String, Yaml.Loc> seen = new LinkedHashMap<>();
            for (int i = 0; i < wl.items().size(); i++) {
                Fields f = Fields.of(wl.items().get(i), "workloads[" + i + "]", problems);
                if (f == null) {
                    continue;
                }
                Workload w = workload(f, models);
                f.finish();
                if (w == null) {
                    continue;
                }
                if (seen.containsKey(w.id())) {
                    f.problem("id", "duplicate id \"" + w.id() + "\": already defined at " + seen.get(w.id()));
                } else {
                    seen.put(w.id(), f.locOf("id"));
                    workloads.add(w);
                }
            }
        }
    }

    /**
     * A workload written as in fleet.yaml, read against a loaded catalog (policy tests use it); problems go to
     * the Fields' collector. The id may be left out: it is then {@code defaultId}.
     */
    public static Workload readWorkload(Fields f, Catalog catalog, String defaultId) {
        CatalogLoader l = new CatalogLoader(Path.of(""));
        l.problems = f.problems();
        l.declaredModels.addAll(catalog.models().keySet());
        l.defaultId = defaultId;
        return l.workload(f, catalog.models());
    }

    private String defaultId;
    /** fleet.yaml's per_node, by card. */
    private final Map<String, Integer> perNodes = new LinkedHashMap<>();

    private Workload workload(Fields f, Map<String, Model> models) {
        int before = problems.size();
        String id = defaultId != null && !f.has("id") ? defaultId : id(f);
        String modelId = f.string("model");
        Model model = modelId == null ? null : models.get(modelId);
        if (modelId != null && model == null && !declaredModels.contains(modelId) && !modelsUnreadable) {
            f.problem("model", "unknown model \"" + modelId + "\" (not in " + MODELS + ")." + Suggest.didYouMean(modelId, models.keySet()));
        }
        Mode mode = f.choice("mode", Named.ids(Mode.class), Mode::of, null);
        Long res = f.optInteger("resolution", Limits.MIN_RESOLUTION, Limits.MAX_RESOLUTION);
        Long seq = f.optInteger("seq_len", 1, Limits.MAX_SEQ_LEN);
        Optimizer opt = f.choice("optimizer", Named.ids(Optimizer.class), Optimizer::of,
                mode == Mode.INFERENCE ? Optimizer.NONE : Optimizer.ADAMW);
        // 0: the workload names no global batch, so nothing caps the per-card batch and nothing is accumulated
        long global = f.integer("global_batch", 1, Limits.MAX_GLOBAL_BATCH, 0L);
        List<Precision> precisions = f.names("precisions", false, Precision.class);
        Finetune finetune = f.choice("finetune", Named.ids(Finetune.class), Finetune::of, Finetune.FULL);
        Long trainable = f.optInteger("trainable_params", 0, Limits.MAX_PARAMS);
        Long rank = f.optInteger("lora_rank", 1, Limits.MAX_LORA_RANK);
        boolean checkpointing = f.bool("gradient_checkpointing", false);
        boolean flash = f.bool("flash_attention", true);
        boolean ema = f.bool("ema", false);
        Quantization quantization = f.has("quantization")
                ? f.choice("quantization", Named.ids(Quantization.class), Quantization::of, null) : null;
        if (mode == Mode.INFERENCE && finetune != Finetune.FULL) {
            f.problem("finetune", finetune.id() + " is a way of training: an inference workload has no finetune");
        }
        if (model != null && model.vision() && finetune != Finetune.FULL) {
            f.problem("finetune", finetune.id() + " adapters apply to transformers; \"" + modelId + "\" is a CNN");
        }
        String team = "";
        String priority = "normal";
        boolean production = false;
        Fields tags = f.map("tags", false);
        if (tags != null) {
            team = tags.string("team", "");
            priority = tags.choice("priority", List.of("low", "normal", "high"),
                    v -> List.of("low", "normal", "high").contains(v) ? v : null, "normal");
            production = tags.bool("production", false);
            tags.finish();
        }
        if (model != null) {
            if (model.vision() && !f.has("resolution") && seq == null) {
                f.problem("resolution", "is required for the vision model \"" + modelId + "\" (e.g. 640)");
            } else if (model.vision() && seq != null) {
                f.problem("seq_len", "is for text models; \"" + modelId + "\" takes images: give resolution instead");
            } else if (!model.vision() && res != null) {
                f.problem("resolution", "is for vision models; \"" + modelId + "\" takes text: give seq_len instead");
            } else if (!model.vision() && !f.has("seq_len")) {
                f.problem("seq_len", "is required for the text model \"" + modelId + "\" (e.g. 2048)");
            }
            if (model.architecture() instanceof TransformerSpec t && seq != null && seq > t.maxPositions() && t.maxPositions() > 0
                    && "learned".equals(t.position())) {
                f.problem("seq_len", seq + " is longer than the " + t.maxPositions() + " positions \"" + modelId + "\" has learned");
            }
        }
        Engine engine = f.choice("engine", Named.ids(Engine.class), Engine::of, Engine.HF);
        Double utilization = f.number("gpu_memory_utilization", 0.01, 1.0, Workload.DEFAULT_GPU_MEMORY_UTILIZATION);
        if (engine == Engine.VLLM && mode == Mode.TRAIN) {
            f.problem("engine", "vllm serves models: a training workload has no engine");
        } else if (engine == Engine.VLLM && model != null && !model.decoder()) {
            f.problem("engine", "vllm serves decoder language models; \"" + modelId + "\" is not one");
        }
        if (f.has("gpu_memory_utilization") && engine != Engine.VLLM) {
            f.problem("gpu_memory_utilization", "is the share of the card vllm takes: give engine: vllm, or remove it");
        }
        if (mode == Mode.INFERENCE && f.has("optimizer") && opt != Optimizer.NONE) {
            f.problem("optimizer", "inference has no optimizer: remove it or write none");
        }
        if (problems.size() > before || id == null || mode == null || model == null) {
            return null;
        }
        return new Workload(id, modelId, mode, res == null ? null : res.intValue(), seq == null ? null : seq.intValue(),
                opt, (int) global, team.toLowerCase(Locale.ROOT), priority, production, precisions, finetune, trainable,
                rank == null ? null : rank.intValue(), checkpointing, flash, ema, quantization, engine,
                utilization == null ? Workload.DEFAULT_GPU_MEMORY_UTILIZATION : utilization);
    }
}
