package dev.vramplan.importer;

import dev.vramplan.catalog.YoloCheck;
import dev.vramplan.catalog.YoloSpec;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.input.Problems;
import dev.vramplan.input.Yaml;
import dev.vramplan.input.YamlNumbers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads an Ultralytics model YAML (yolov5*.yaml, yolov8.yaml, yolo11.yaml): backbone and head layer lists,
 * and the depth, width and channel cap of one scale.
 */
public final class UltralyticsImporter {
    private UltralyticsImporter() {}

    public record Imported(String family, YoloSpec spec) {}

    public static Imported read(Path file, String scale) {
        Problems problems = new Problems();
        String shown = file.toString();
        Yaml.Node root = Yaml.read(file, shown, "model YAML file", problems);
        problems.throwIfAny();
        if (!(root instanceof Yaml.MapNode map)) {
            throw new InvalidInputException(shown + ":1:1: expected a model YAML (a map with backbone and head)");
        }
        Map<String, Yaml.Entry> e = map.entries();
        for (String key : List.of("backbone", "head")) {
            if (!e.containsKey(key) || !(e.get(key).value() instanceof Yaml.ListNode)) {
                throw new InvalidInputException(
                        map.loc() + ": " + key + ": is required (a list of [from, repeats, module, args] rows)");
            }
        }
        int nc = e.containsKey("nc") ? intOf(e.get("nc").value(), "nc") : 80;
        double depth;
        double width;
        int maxChannels = 0;
        String s = scale == null ? "" : scale.toLowerCase(Locale.ROOT);
        if (e.containsKey("scales") && e.get("scales").value() instanceof Yaml.MapNode scales) {
            if (!scales.entries().containsKey(s)) {
                throw new InvalidInputException(
                        scales.loc() + ": scales: there is no scale \"" + s + "\"; the file has "
                                + String.join(", ", scales.entries().keySet()) + " (give one with --scale)");
            }
            Yaml.Node row = scales.entries().get(s).value();
            if (!(row instanceof Yaml.ListNode l) || l.items().size() < 2) {
                throw new InvalidInputException(
                        row.loc() + ": scales." + s + ": expected [depth, width, max_channels]");
            }
            depth = realOf(l.items().get(0), "scales." + s);
            width = realOf(l.items().get(1), "scales." + s);
            maxChannels = l.items().size() > 2 ? intOf(l.items().get(2), "scales." + s) : 0;
        } else if (e.containsKey("depth_multiple") && e.containsKey("width_multiple")) {
            depth = realOf(e.get("depth_multiple").value(), "depth_multiple");
            width = realOf(e.get("width_multiple").value(), "width_multiple");
        } else {
            throw new InvalidInputException(
                    map.loc() + ": scales: the file gives neither scales nor depth_multiple/width_multiple");
        }
        int anchors = 3;
        boolean anchored = e.containsKey("anchors");
        if (anchored
                && e.get("anchors").value() instanceof Yaml.ListNode al
                && !al.items().isEmpty()
                && al.items().get(0) instanceof Yaml.ListNode first) {
            anchors = first.items().size() / 2;
        }
        List<YoloSpec.Layer> layers = new ArrayList<>();
        List<Yaml.Node> rowNodes =
                new ArrayList<>(((Yaml.ListNode) e.get("backbone").value()).items());
        rowNodes.addAll(((Yaml.ListNode) e.get("head").value()).items());
        rows((Yaml.ListNode) e.get("backbone").value(), layers);
        int backbone = layers.size();
        rows((Yaml.ListNode) e.get("head").value(), layers);
        boolean c3k2 = layers.stream().anyMatch(l -> l.module().equals("C3k2"));
        String family = anchored ? "yolov5" : c3k2 ? "yolo11" : "yolov8";
        YoloSpec spec = new YoloSpec(family, depth, width, maxChannels, nc, anchors, layers, backbone, s);
        try {
            YoloCheck.check(spec);
        } catch (YoloCheck.LayerProblem p) {
            Yaml.Loc at = p.layer >= 0 && p.layer < rowNodes.size()
                    ? rowNodes.get(p.layer).loc()
                    : map.loc();
            throw new InvalidInputException(at + ": " + p.getMessage()
                    + " (vramplan models Ultralytics' v5 (v6.0 and later), v8 and 11 modules)");
        }
        return new Imported(family, spec);
    }

    private static void rows(Yaml.ListNode list, List<YoloSpec.Layer> out) {
        for (Yaml.Node n : list.items()) {
            if (!(n instanceof Yaml.ListNode row) || row.items().size() != 4) {
                throw new InvalidInputException(n.loc() + ": expected a row [from, repeats, module, args]");
            }
            List<Integer> from = new ArrayList<>();
            if (row.items().get(0) instanceof Yaml.ListNode fl) {
                for (Yaml.Node x : fl.items()) {
                    from.add(intOf(x, "from"));
                }
            } else {
                from.add(intOf(row.items().get(0), "from"));
            }
            int repeats = intOf(row.items().get(1), "repeats");
            String module = row.items().get(2) instanceof Yaml.ScalarNode sn ? sn.text() : null;
            if (module == null) {
                throw new InvalidInputException(row.items().get(2).loc() + ": module: expected a name");
            }
            List<Object> args = new ArrayList<>();
            if (row.items().get(3) instanceof Yaml.ListNode al) {
                for (Yaml.Node a : al.items()) {
                    args.add(value(a));
                }
            }
            out.add(new YoloSpec.Layer(from, repeats, module, args));
        }
    }

    static Object value(Yaml.Node n) {
        if (n instanceof Yaml.ScalarNode s) {
            return YamlNumbers.value(s);
        }
        if (n instanceof Yaml.ListNode l) {
            return l.items().stream().map(UltralyticsImporter::value).toList();
        }
        return null;
    }

    private static int intOf(Yaml.Node n, String what) {
        if (n instanceof Yaml.ScalarNode s && YamlNumbers.smallWhole(s) != null) {
            return YamlNumbers.smallWhole(s);
        }
        if (n instanceof Yaml.ScalarNode s && YamlNumbers.whole(s) != null) {
            throw new InvalidInputException(n.loc() + ": " + what + ": " + s.text() + " is out of range");
        }
        throw new InvalidInputException(n.loc() + ": " + what + ": expected a whole number");
    }

    private static double realOf(Yaml.Node n, String what) {
        Double v = n instanceof Yaml.ScalarNode s ? YamlNumbers.real(s) : null;
        if (v == null || v.isNaN() || v.isInfinite()) {
            throw new InvalidInputException(n.loc() + ": " + what + ": expected a number");
        }
        return v;
    }
}
