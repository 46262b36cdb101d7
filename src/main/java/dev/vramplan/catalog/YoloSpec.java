package dev.vramplan.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A YOLO detector as its Ultralytics model YAML writes it: layer list plus the scale's depth and
 * width multiples (and maximum channels for YOLOv8 and later).
 *
 * @param family         yolov5 (anchor-based Detect), yolov8 or yolo11 (anchor-free Detect with DFL)
 * @param maxChannels    channel cap before the width multiple; 0 for none (YOLOv5)
 * @param backboneLayers how many of {@code layers} are the backbone (the rest is the head)
 */
public record YoloSpec(
        String family,
        double depthMultiple,
        double widthMultiple,
        int maxChannels,
        int numClasses,
        int anchors,
        List<Layer> layers,
        int backboneLayers,
        String scale)
        implements Architecture {
    /** One row {@code [from, repeats, module, args]}; {@code from} is -1 for the previous layer. */
    public record Layer(List<Integer> from, int repeats, String module, List<Object> args) {
        public Layer {
            from = List.copyOf(from);
            args = Collections.unmodifiableList(new ArrayList<>(args));
        }
    }

    public YoloSpec {
        layers = List.copyOf(layers);
    }

    @Override
    public boolean vision() {
        return true;
    }
}
