package dev.vramplan.importer;

import dev.vramplan.catalog.TransformerSpec;
import dev.vramplan.catalog.YoloSpec;
import java.util.List;
import java.util.Locale;

/** Writes model entries in the catalog's own format (catalog/models.yaml), so imported models read like shipped ones. */
public final class CatalogWriter {
    private CatalogWriter() {}

    public static String transformer(
            String id, String name, String family, long publishedParams, String comment, TransformerSpec t) {
        StringBuilder b = header(id, name, family, publishedParams, comment);
        b.append("    transformer:\n");
        kv(b, "kind", t.kind().id());
        kv(b, "layers", t.layers());
        kv(b, "hidden", t.hidden());
        kv(b, "heads", t.heads());
        kv(b, "kv_heads", t.kvHeads());
        if (t.headDim() != t.hidden() / t.heads()) {
            kv(b, "head_dim", t.headDim());
        }
        kv(b, "intermediate", t.intermediate());
        if (t.kind() != TransformerSpec.Kind.VISION) {
            kv(b, "vocab", t.vocab());
            kv(b, "max_positions", t.maxPositions());
        }
        kv(b, "mlp", t.gatedMlp() ? "gated" : "plain");
        kv(b, "activation", t.activation());
        kv(b, "norm", t.rmsNorm() ? "rmsnorm" : "layernorm");
        if (t.normsPerLayer() != 2) {
            kv(b, "norms_per_layer", t.normsPerLayer());
        }
        kv(b, "qkv_bias", t.qkvBias());
        kv(b, "out_bias", t.outBias());
        kv(b, "mlp_bias", t.mlpBias());
        kv(b, "tied_embeddings", t.tiedEmbeddings());
        if (t.lmHeadBias()) {
            kv(b, "lm_head_bias", true);
        }
        kv(b, "position", t.position());
        if (t.typeVocab() > 0) {
            kv(b, "type_vocab", t.typeVocab());
        }
        if (t.embeddingNorm()) {
            kv(b, "embedding_norm", true);
        }
        if (t.pooler()) {
            kv(b, "pooler", true);
        }
        if (t.finalNorm() != (t.kind() != TransformerSpec.Kind.ENCODER)) {
            kv(b, "final_norm", t.finalNorm());
        }
        if (t.dropout() > 0) {
            kv(b, "dropout", t.dropout());
        }
        if (t.kind() == TransformerSpec.Kind.VISION) {
            kv(b, "image_size", t.imageSize());
            kv(b, "patch", t.patch());
            kv(b, "channels", t.channels());
            kv(b, "num_classes", t.numClasses());
        }
        return b.toString();
    }

    public static String yolo(String id, String name, long publishedParams, String comment, YoloSpec y) {
        StringBuilder b = header(id, name, y.family(), publishedParams, comment);
        b.append("    yolo:\n");
        kv(b, "depth_multiple", y.depthMultiple());
        kv(b, "width_multiple", y.widthMultiple());
        if (y.maxChannels() > 0) {
            kv(b, "max_channels", y.maxChannels());
        }
        kv(b, "num_classes", y.numClasses());
        if (y.family().equals("yolov5")) {
            kv(b, "anchors", y.anchors());
        }
        if (!y.scale().isEmpty()) {
            kv(b, "scale", y.scale());
        }
        b.append("      backbone:\n");
        rows(b, y.layers().subList(0, y.backboneLayers()));
        b.append("      head:\n");
        rows(b, y.layers().subList(y.backboneLayers(), y.layers().size()));
        return b.toString();
    }

    private static StringBuilder header(String id, String name, String family, long publishedParams, String comment) {
        StringBuilder b = new StringBuilder();
        for (String line : comment.split("\n")) {
            b.append("  # ").append(line).append('\n');
        }
        b.append("  - id: ").append(id).append('\n');
        b.append("    name: ").append(quote(name)).append('\n');
        b.append("    family: ").append(family).append('\n');
        b.append("    published_params: ").append(publishedParams).append('\n');
        return b;
    }

    private static void rows(StringBuilder b, List<YoloSpec.Layer> layers) {
        for (YoloSpec.Layer l : layers) {
            b.append("        - [")
                    .append(
                            l.from().size() == 1
                                    ? l.from().get(0).toString()
                                    : l.from().toString())
                    .append(", ")
                    .append(l.repeats())
                    .append(", ")
                    .append(l.module())
                    .append(", ")
                    .append(list(l.args()))
                    .append("]\n");
        }
    }

    private static String list(List<?> args) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            b.append(i == 0 ? "" : ", ");
            if (a == null) {
                b.append("None");
            } else if (a instanceof Boolean bo) {
                b.append(bo ? "True" : "False");
            } else if (a instanceof List<?> l) {
                b.append(list(l));
            } else if (a instanceof String s) {
                b.append(s.matches("[A-Za-z_][A-Za-z0-9_.]*") ? s : "\"" + s.replace("\"", "\\\"") + "\"");
            } else {
                b.append(a);
            }
        }
        return b.append(']').toString();
    }

    private static void kv(StringBuilder b, String key, Object value) {
        String v = value instanceof Double d
                ? (d == Math.rint(d) ? String.format(Locale.ROOT, "%.1f", d) : String.valueOf(d))
                : String.valueOf(value);
        b.append("      ").append(key).append(": ").append(v).append('\n');
    }

    private static String quote(String s) {
        return s.matches("[A-Za-z0-9][A-Za-z0-9 ._()-]*") ? s : "\"" + s.replace("\"", "\\\"") + "\"";
    }
}
