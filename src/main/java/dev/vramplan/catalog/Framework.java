package dev.vramplan.catalog;

import dev.vramplan.input.Named;

/**
 * The training or serving code whose loop runs a job (measurement format 2's {@code framework}). Frameworks keep
 * different tensors alive at the peak: Ultralytics' YOLOv8/YOLO11 loss runs a task-aligned assigner over
 * batch × boxes × anchors, YOLOv5's anchor-based loss does not; {@code transformers} generation computes the
 * logits of the last prompt position only.
 */
public enum Framework implements Named {
    LITGPT("litgpt"),
    HF_TRANSFORMERS("hf-transformers"),
    ULTRALYTICS("ultralytics"),
    YOLOV5("yolov5"),
    MMYOLO("mmyolo"),
    MMENGINE("mmengine"),
    VLLM("vllm"),
    FASTCHAT("fastchat"),
    LLAMA_FACTORY("llama-factory");

    private final String id;

    Framework(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /**
     * Whether the job runs in Hugging Face {@code transformers}' own loops: the {@code Trainer} (with PEFT for
     * adapters) in training, {@code GenerationMixin.generate} in serving. FastChat and LLaMA-Factory build on them.
     */
    public boolean huggingFace() {
        return this == HF_TRANSFORMERS || this == FASTCHAT || this == LLAMA_FACTORY;
    }

    /**
     * The code a model family usually runs in when nobody says: YOLOv5 in its own repository (ultralytics/yolov5),
     * YOLOv8 and YOLO11 in the ultralytics package, transformers in Hugging Face {@code transformers}; null for
     * CNN classifiers (a plain PyTorch loop such as torchvision's reference scripts, which have no entry here).
     */
    public static Framework defaultFor(Architecture a) {
        if (a instanceof YoloSpec y) {
            return "yolov5".equals(y.family()) ? YOLOV5 : ULTRALYTICS;
        }
        return a instanceof TransformerSpec ? HF_TRANSFORMERS : null;
    }

    public static Framework of(String id) {
        return Named.byId(Framework.class, id);
    }
}
