package dev.vramplan.catalog;

import dev.vramplan.input.Fields;
import dev.vramplan.input.Named;
import dev.vramplan.input.Problems;
import dev.vramplan.input.Suggest;
import dev.vramplan.input.Yaml.ListNode;
import dev.vramplan.input.Yaml.Node;
import dev.vramplan.input.Yaml.ScalarNode;
import dev.vramplan.input.YamlNumbers;
import java.util.ArrayList;
import java.util.List;

/** Reads one {@code models:} entry: id, name, family, published_params and exactly one of transformer, yolo, cnn. */
final class ModelReader {
    private static final List<String> ARCHS = List.of("transformer", "yolo", "cnn");
    private static final List<String> YOLO_FAMILIES = List.of("yolov5", "yolov8", "yolo11");

    private ModelReader() {}

    static Model model(Fields f) {
        Problems problems = f.problems();
        int before = problems.size();
        String id = CatalogLoader.id(f);
        String name = f.string("name", id);
        String family = f.string("family");
        long published = f.integer("published_params", 1_000, Limits.MAX_PARAMS, null);
        Architecture arch = null;
        int given = 0;
        for (String a : ARCHS) {
            if (f.has(a)) {
                given++;
            }
        }
        if (given != 1) {
            problems.add(
                    f.loc(),
                    f.path().isEmpty() ? "" : f.path(),
                    given == 0
                            ? "has no architecture: give one of transformer, yolo, cnn"
                            : "has more than one architecture: give one of transformer, yolo, cnn");
        } else if (f.has("transformer")) {
            Fields t = f.map("transformer", true);
            arch = t == null ? null : transformer(t);
            if (t != null) {
                t.finish();
            }
        } else if (f.has("yolo")) {
            Fields y = f.map("yolo", true);
            arch = y == null ? null : yolo(y, family, id);
            if (y != null) {
                y.finish();
            }
        } else {
            Fields c = f.map("cnn", true);
            arch = c == null ? null : cnn(c);
            if (c != null) {
                c.finish();
            }
        }
        if (problems.size() > before || id == null || arch == null) {
            return null;
        }
        return new Model(id, name, family, published, arch);
    }

    private static TransformerSpec transformer(Fields t) {
        int before = t.problems().size();
        TransformerSpec.Kind kind = t.choice(
                "kind", Named.ids(TransformerSpec.Kind.class), v -> Named.byId(TransformerSpec.Kind.class, v), null);
        int layers = (int) t.integer("layers", 1, 1_000, null);
        int hidden = (int) t.integer("hidden", 1, 1_000_000, null);
        int heads = (int) t.integer("heads", 1, 10_000, null);
        int kvHeads = (int) t.integer("kv_heads", 1, 10_000, (long) heads);
        long hd = t.integer("head_dim", 1, 100_000, (long) Math.max(1, hidden / Math.max(1, heads)));
        int inter = (int) t.integer("intermediate", 1, 10_000_000, null);
        boolean vision = kind == TransformerSpec.Kind.VISION;
        int vocab = vision ? 0 : (int) t.integer("vocab", 1, 10_000_000, null);
        int maxPos = (int) t.integer("max_positions", 1, 1 << 24, vision ? 1L : null);
        String mlp = t.choice(
                "mlp", List.of("gated", "plain"), v -> List.of("gated", "plain").contains(v) ? v : null, null);
        String act = t.choice(
                "activation",
                List.of("silu", "gelu", "relu"),
                v -> List.of("silu", "gelu", "relu").contains(v) ? v : null,
                "gelu");
        String norm = t.choice(
                "norm",
                List.of("rmsnorm", "layernorm"),
                v -> List.of("rmsnorm", "layernorm").contains(v) ? v : null,
                null);
        int normsPerLayer = (int) t.integer("norms_per_layer", 0, 8, 2L);
        boolean qkvBias = t.bool("qkv_bias", false);
        boolean outBias = t.bool("out_bias", false);
        boolean mlpBias = t.bool("mlp_bias", false);
        boolean tied = t.bool("tied_embeddings", false);
        boolean lmHeadBias = t.bool("lm_head_bias", false);
        String position = t.choice(
                "position",
                List.of("rope", "learned", "alibi"),
                v -> List.of("rope", "learned", "alibi").contains(v) ? v : null,
                vision ? "learned" : null);
        int typeVocab = (int) t.integer("type_vocab", 0, 1_000, 0L);
        boolean embNorm = t.bool("embedding_norm", false);
        boolean pooler = t.bool("pooler", false);
        boolean finalNorm = t.bool("final_norm", kind != TransformerSpec.Kind.ENCODER);
        double dropout = t.number("dropout", 0.0, 0.9, 0.0);
        int image = vision ? (int) t.integer("image_size", 16, 8192, null) : 0;
        int patch = vision ? (int) t.integer("patch", 1, 1024, null) : 0;
        int channels = vision ? (int) t.integer("channels", 1, 64, 3L) : 0;
        int classes = vision ? (int) t.integer("num_classes", 1, 1_000_000, 1000L) : 0;
        if (t.problems().size() > before || kind == null || mlp == null || norm == null || position == null) {
            return null;
        }
        if (heads % kvHeads != 0) {
            t.problem("kv_heads", kvHeads + " does not divide the " + heads + " attention heads");
            return null;
        }
        return new TransformerSpec(
                kind,
                layers,
                hidden,
                heads,
                kvHeads,
                (int) hd,
                inter,
                vocab,
                maxPos,
                mlp.equals("gated"),
                act,
                norm.equals("rmsnorm"),
                normsPerLayer,
                qkvBias,
                outBias,
                mlpBias,
                tied,
                lmHeadBias,
                position,
                typeVocab,
                embNorm,
                pooler,
                finalNorm,
                dropout,
                image,
                patch,
                channels,
                classes);
    }

    private static YoloSpec yolo(Fields y, String family, String id) {
        int before = y.problems().size();
        if (family == null || !YOLO_FAMILIES.contains(family)) {
            y.problems()
                    .add(
                            y.loc(),
                            y.path(),
                            "a yolo model needs family " + String.join(", ", YOLO_FAMILIES)
                                    + (family == null
                                            ? ""
                                            : " (found \"" + family + "\")."
                                                    + Suggest.didYouMean(family, YOLO_FAMILIES)));
        }
        Double depth = y.number("depth_multiple", 0.01, 10, null);
        Double width = y.number("width_multiple", 0.01, 10, null);
        int maxCh = (int) y.integer("max_channels", 0, 1 << 16, 0L);
        int nc = (int) y.integer("num_classes", 1, 100_000, 80L);
        int anchors = (int) y.integer("anchors", 1, 100, 3L);
        String scale = y.string("scale", id == null ? "" : id.substring(id.length() - 1));
        List<YoloSpec.Layer> layers = new ArrayList<>();
        ListNode bb = y.list("backbone", true);
        ListNode hd = y.list("head", true);
        int backbone = 0;
        if (bb != null) {
            layersOf(y, "backbone", bb, layers);
            backbone = layers.size();
        }
        if (hd != null) {
            layersOf(y, "head", hd, layers);
        }
        if (y.problems().size() > before || family == null || depth == null || width == null) {
            return null;
        }
        YoloSpec spec = new YoloSpec(family, depth, width, maxCh, nc, anchors, layers, backbone, scale);
        try {
            YoloCheck.check(spec);
        } catch (YoloCheck.LayerProblem e) {
            List<Node> rows = new ArrayList<>();
            if (bb != null) {
                rows.addAll(bb.items());
            }
            if (hd != null) {
                rows.addAll(hd.items());
            }
            boolean inHead = e.layer >= backbone;
            String where = e.layer < 0
                    ? y.path()
                    : y.path(inHead ? "head[" + (e.layer - backbone) + "]" : "backbone[" + e.layer + "]");
            y.problems()
                    .add(
                            e.layer >= 0 && e.layer < rows.size()
                                    ? rows.get(e.layer).loc()
                                    : y.loc(),
                            where,
                            e.getMessage());
            return null;
        }
        return spec;
    }

    private static void layersOf(Fields y, String key, ListNode list, List<YoloSpec.Layer> out) {
        Problems problems = y.problems();
        for (int i = 0; i < list.items().size(); i++) {
            Node n = list.items().get(i);
            String path = y.path(key + "[" + i + "]");
            if (!(n instanceof ListNode row) || row.items().size() != 4) {
                problems.add(n.loc(), path, "expected a row [from, repeats, module, args]");
                continue;
            }
            List<Integer> from = new ArrayList<>();
            Node fn = row.items().get(0);
            if (fn instanceof ListNode fl) {
                for (Node x : fl.items()) {
                    Integer v = intOf(x);
                    if (v == null) {
                        problems.add(x.loc(), path, "from must be layer numbers");
                    } else {
                        from.add(v);
                    }
                }
            } else {
                Integer v = intOf(fn);
                if (v == null) {
                    problems.add(fn.loc(), path, "from must be a layer number or a list of them");
                } else {
                    from.add(v);
                }
            }
            Integer repeats = intOf(row.items().get(1));
            if (repeats == null || repeats < 1 || repeats > 1000) {
                problems.add(row.items().get(1).loc(), path, "repeats must be a whole number from 1 to 1000");
                continue;
            }
            Node mn = row.items().get(2);
            String module = mn instanceof ScalarNode s ? s.text() : null;
            if (module == null) {
                problems.add(mn.loc(), path, "module must be a name such as Conv or C2f");
                continue;
            }
            List<Object> args = new ArrayList<>();
            Node an = row.items().get(3);
            if (!(an instanceof ListNode al)) {
                problems.add(an.loc(), path, "args must be a list");
                continue;
            }
            for (Node a : al.items()) {
                args.add(scalarValue(a));
            }
            out.add(new YoloSpec.Layer(from, repeats, module, args));
        }
    }

    private static Integer intOf(Node n) {
        return n instanceof ScalarNode s ? YamlNumbers.smallWhole(s) : null;
    }

    private static Object scalarValue(Node n) {
        if (!(n instanceof ScalarNode s)) {
            return n instanceof ListNode l
                    ? l.items().stream().map(ModelReader::scalarValue).toList()
                    : null;
        }
        return YamlNumbers.value(s);
    }

    private static CnnSpec cnn(Fields c) {
        int before = c.problems().size();
        String kind = c.choice(
                "kind",
                List.of("resnet", "mbconv"),
                v -> List.of("resnet", "mbconv").contains(v) ? v : null,
                null);
        int classes = (int) c.integer("num_classes", 1, 1_000_000, 1000L);
        if (kind == null) {
            return null;
        }
        if (kind.equals("resnet")) {
            String block = c.choice(
                    "block",
                    List.of("basic", "bottleneck"),
                    v -> List.of("basic", "bottleneck").contains(v) ? v : null,
                    null);
            List<Integer> stages = ints(c, "stages");
            List<Integer> widths = ints(c, "widths");
            if (stages.size() != widths.size()) {
                c.problem("widths", "needs one width per stage (" + stages.size() + ")");
            }
            if (c.problems().size() > before || block == null) {
                return null;
            }
            return new CnnSpec(kind, block, stages, widths, 64, "relu", List.of(), 0, List.of(classes), classes);
        }
        int stem = (int) c.integer("stem", 1, 100_000, null);
        String act = c.choice(
                "activation",
                List.of("silu", "relu", "hardswish"),
                v -> List.of("silu", "relu", "hardswish").contains(v) ? v : null,
                "relu");
        int head = (int) c.integer("head", 1, 1_000_000, null);
        List<Integer> classifier = ints(c, "classifier");
        List<CnnSpec.MbBlock> blocks = new ArrayList<>();
        ListNode bl = c.list("blocks", true);
        if (bl != null) {
            for (int i = 0; i < bl.items().size(); i++) {
                Node n = bl.items().get(i);
                String path = c.path("blocks[" + i + "]");
                if (!(n instanceof ListNode row) || row.items().size() != 6) {
                    c.problems().add(n.loc(), path, "expected a row [kernel, expanded, out, se, activation, stride]");
                    continue;
                }
                Integer k = intOf(row.items().get(0));
                Integer e = intOf(row.items().get(1));
                Integer o = intOf(row.items().get(2));
                Integer se = intOf(row.items().get(3));
                Object a = scalarValue(row.items().get(4));
                Integer s = intOf(row.items().get(5));
                if (k == null
                        || e == null
                        || o == null
                        || se == null
                        || s == null
                        || !(a instanceof String)
                        || k < 1
                        || e < 1
                        || o < 1
                        || se < 0
                        || s < 1) {
                    c.problems()
                            .add(
                                    n.loc(),
                                    path,
                                    "kernel, expanded, out, se and stride must be whole numbers, activation a name");
                    continue;
                }
                blocks.add(new CnnSpec.MbBlock(k, e, o, se, (String) a, s));
            }
        }
        if (c.problems().size() > before) {
            return null;
        }
        return new CnnSpec(kind, "mbconv", List.of(), List.of(), stem, act, blocks, head, classifier, classes);
    }

    private static List<Integer> ints(Fields c, String key) {
        List<Integer> out = new ArrayList<>();
        ListNode l = c.list(key, true);
        if (l == null) {
            return out;
        }
        for (Node n : l.items()) {
            Integer v = intOf(n);
            if (v == null || v < 1) {
                c.problems().add(n.loc(), c.path(key), "expected positive whole numbers");
            } else {
                out.add(v);
            }
        }
        return out;
    }
}
