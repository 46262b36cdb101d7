package dev.vramplan.catalog;

import dev.vramplan.input.Fields;
import dev.vramplan.input.Named;
import dev.vramplan.input.Suggest;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads one workload as written in {@code fleet.yaml} (or in a policy test), against the models it may name. */
public final class WorkloadReader {
    /** Model ids written in the catalog, valid entries or not: a reference to them is not "unknown". */
    private final Set<String> declaredModels;
    /** models.yaml could not be read: no reference to a model is reported unknown. */
    private final boolean modelsUnreadable;
    /** The id of a workload that gives none, or null when the id is required. */
    private final String defaultId;

    WorkloadReader(Set<String> declaredModels, boolean modelsUnreadable, String defaultId) {
        this.declaredModels = new HashSet<>(declaredModels);
        this.modelsUnreadable = modelsUnreadable;
        this.defaultId = defaultId;
    }

    /**
     * A workload written as in fleet.yaml, read against a loaded catalog (policy tests use it); problems go to
     * the Fields' collector. The id may be left out: it is then {@code defaultId}.
     */
    public static Workload readWorkload(Fields f, Catalog catalog, String defaultId) {
        return new WorkloadReader(catalog.models().keySet(), false, defaultId).workload(f, catalog.models());
    }

    Workload workload(Fields f, Map<String, Model> models) {
        int before = f.problems().size();
        String id = defaultId != null && !f.has("id") ? defaultId : CatalogLoader.id(f);
        String modelId = f.string("model");
        Model model = modelId == null ? null : models.get(modelId);
        if (modelId != null && model == null && !declaredModels.contains(modelId) && !modelsUnreadable) {
            f.problem(
                    "model",
                    "unknown model \"" + modelId + "\" (not in " + CatalogLoader.MODELS + ")."
                            + Suggest.didYouMean(modelId, models.keySet()));
        }
        Mode mode = f.choice("mode", Named.ids(Mode.class), Mode::of, null);
        Long res = f.optInteger("resolution", Limits.MIN_RESOLUTION, Limits.MAX_RESOLUTION);
        Long seq = f.optInteger("seq_len", 1, Limits.MAX_SEQ_LEN);
        Optimizer opt = f.choice(
                "optimizer",
                Named.ids(Optimizer.class),
                Optimizer::of,
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
                ? f.choice("quantization", Named.ids(Quantization.class), Quantization::of, null)
                : null;
        Framework framework =
                f.has("framework") ? f.choice("framework", Named.ids(Framework.class), Framework::of, null) : null;
        Long maxObjects = f.optInteger("max_objects", 0, Limits.MAX_OBJECTS);
        if (maxObjects != null && model != null && !(model.architecture() instanceof YoloSpec)) {
            f.problem("max_objects", "counts a detector's labelled boxes; \"" + modelId + "\" is not a detector");
        }
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
            priority = tags.choice(
                    "priority",
                    List.of("low", "normal", "high"),
                    v -> List.of("low", "normal", "high").contains(v) ? v : null,
                    "normal");
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
            if (model.architecture() instanceof TransformerSpec t
                    && seq != null
                    && seq > t.maxPositions()
                    && t.maxPositions() > 0
                    && "learned".equals(t.position())) {
                f.problem(
                        "seq_len",
                        seq + " is longer than the " + t.maxPositions() + " positions \"" + modelId + "\" has learned");
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
        if (f.problems().size() > before || id == null || mode == null || model == null) {
            return null;
        }
        return new Workload(
                id,
                modelId,
                mode,
                res == null ? null : res.intValue(),
                seq == null ? null : seq.intValue(),
                opt,
                (int) global,
                team.toLowerCase(Locale.ROOT),
                priority,
                production,
                precisions,
                finetune,
                trainable,
                rank == null ? null : rank.intValue(),
                checkpointing,
                flash,
                ema,
                quantization,
                framework,
                maxObjects == null ? null : maxObjects.intValue(),
                engine,
                utilization == null ? Workload.DEFAULT_GPU_MEMORY_UTILIZATION : utilization);
    }
}
