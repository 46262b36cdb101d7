package dev.vramplan.catalog;

import dev.vramplan.input.Fields;
import dev.vramplan.input.InvalidInputException;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
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
    public static final String BANDS = "bands.yaml";

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

    /** The catalog without its bands.yaml, for rebuilding it ({@code calibrate --bands}): an old file may not load. */
    public static Catalog loadWithoutBands(Path dir) {
        CatalogLoader l = new CatalogLoader(dir);
        l.withoutBands = true;
        Catalog c = l.read();
        l.problems.throwIfAny();
        return c;
    }

    private boolean withoutBands;

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
    public static Report check(Path dir, ToLongFunction<Architecture> derivedParams) {
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
                    .thenComparingInt(p -> p.loc().line())
                    .thenComparingInt(p -> p.loc().column()));
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
        return String.format(
                Locale.ROOT,
                "%s: published_params %,d is %.1f%% %s the %,d derived from the architecture"
                        + " (more than %.0f%%): check the architecture or the published count",
                m.id(),
                m.publishedParams(),
                pct,
                m.publishedParams() > derived ? "above" : "below",
                derived,
                100 * PARAMS_TOLERANCE);
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
        gpusUnreadable = g == null
                || !readList(g, "gpus", (f, path) -> {
                    declared(f, declaredGpus);
                    Gpu gpu = GpuReader.gpu(f);
                    putUnique(gpus, gpuLocs, gpu == null ? null : gpu.id(), gpu, f, path);
                });
        Map<String, Model> models = new LinkedHashMap<>();
        Map<String, Yaml.Loc> modelLocs = new LinkedHashMap<>();
        List<String> modelFiles = new ArrayList<>();
        modelFiles.add(MODELS);
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("models-") && n.endsWith(".yaml"))
                    .sorted()
                    .forEach(modelFiles::add);
        } catch (IOException e) {
            problems.add(dirLoc, "", "cannot be listed: " + e.getMessage());
        }
        for (String file : modelFiles) {
            Node m = readFile(file, file.equals(MODELS));
            boolean read = m != null
                    && readList(m, "models", (f, path) -> {
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
                Calibration c = CalibrationReader.calibration(f, models, declaredModels);
                if (c != null) {
                    calibrations.add(c);
                }
            });
        }
        Node bandFile = withoutBands ? null : readFile(BANDS, false);
        Bands bands = bandFile == null ? Bands.NONE : BandReader.read(bandFile, problems);
        return new Catalog(gpus, models, cards, workloads, calibrations, perNodes, bands);
    }

    /** Where each model's published_params is (the first entry of an id), for warnings. */
    private final Map<String, Yaml.Loc> publishedLocs = new LinkedHashMap<>();

    /** Ids written in a file, valid entries or not: a reference to them is not "unknown". */
    private final Set<String> declaredGpus = new HashSet<>();

    private final Set<String> declaredModels = new HashSet<>();
    private boolean gpusUnreadable;
    private boolean modelsUnreadable;

    private static void declared(Fields f, Set<String> into) {
        if (f.raw().entries().get("id") != null
                && f.raw().entries().get("id").value() instanceof ScalarNode s
                && s.text() != null) {
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

    private <T> void putUnique(
            Map<String, T> into, Map<String, Yaml.Loc> locs, String id, T value, Fields f, String path) {
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

    private void readFleet(
            Node root,
            Map<String, Gpu> gpus,
            Map<String, Model> models,
            Map<String, Integer> cards,
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
                    f.problem(
                            "gpu",
                            "unknown gpu \"" + gpu + "\" (not in " + GPUS + ")."
                                    + Suggest.didYouMean(gpu, gpus.keySet()));
                } else if (!gpus.containsKey(gpu)) {
                    continue; // the card's own entry is wrong and reported there
                } else if (seen.containsKey(gpu)) {
                    f.problem(
                            "gpu",
                            "\"" + gpu + "\" is listed twice: already at " + seen.get(gpu) + "; add up the counts");
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
                Workload w = new WorkloadReader(declaredModels, modelsUnreadable, null).workload(f, models);
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

    /** fleet.yaml's per_node, by card. */
    private final Map<String, Integer> perNodes = new LinkedHashMap<>();
}
