package dev.vramplan.validate;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Limits;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Offload;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Quantization;
import dev.vramplan.input.Fields;
import dev.vramplan.input.Named;
import dev.vramplan.input.Problems;
import dev.vramplan.input.Shown;
import dev.vramplan.input.Sizes;
import dev.vramplan.input.Suggest;
import dev.vramplan.input.Yaml;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a measurement file strictly: unknown fields, wrong types and references to models or cards the
 * catalog does not know are errors naming the point.
 */
public final class MeasurementLoader {
    private MeasurementLoader() {}

    public static List<Measurement> load(Path file, Catalog catalog) {
        Problems problems = new Problems();
        String shown = shown(file);
        Yaml.Node root = Yaml.read(file, shown, "measurement file", problems);
        List<Measurement> out = new ArrayList<>();
        if (root != null) {
            Fields top = Fields.of(root, "", problems);
            if (top != null) {
                Yaml.ListNode list = top.list("measurements", true);
                top.finish();
                if (list != null) {
                    Map<String, Yaml.Loc> seen = new HashMap<>();
                    for (int i = 0; i < list.items().size(); i++) {
                        Fields f = Fields.of(list.items().get(i), "measurements[" + i + "]", problems);
                        if (f == null) {
                            continue;
                        }
                        Measurement m = read(f, catalog, problems);
                        f.finish();
                        if (m != null) {
                            if (seen.containsKey(m.id())) {
                                f.problem("id", "duplicate id \"" + m.id() + "\": already at " + seen.get(m.id()));
                            } else {
                                seen.put(m.id(), m.loc());
                                out.add(m);
                            }
                        }
                    }
                }
            }
        }
        problems.throwIfAny();
        return out;
    }

    private static Measurement read(Fields f, Catalog catalog, Problems problems) {
        int before = problems.size();
        String id = f.string("id");
        String where = id == null ? "" : " (point \"" + id + "\")";
        String source = f.string("source", "");
        String model = f.string("model");
        if (model != null && catalog.model(model) == null) {
            f.problem(
                    "model",
                    "unknown model \"" + model + "\"" + where + "."
                            + Suggest.didYouMean(model, catalog.models().keySet()));
        }
        String gpu = f.string("gpu", null);
        if (gpu != null && catalog.gpu(gpu) == null) {
            f.problem(
                    "gpu",
                    "unknown gpu \"" + gpu + "\"" + where + "."
                            + Suggest.didYouMean(gpu, catalog.gpus().keySet()));
        }
        Mode mode = f.choice("mode", Named.ids(Mode.class), Mode::of, null);
        Precision precision = f.choice("precision", Named.ids(Precision.class), Precision::of, null);
        Optimizer optimizer = f.choice(
                "optimizer",
                Named.ids(Optimizer.class),
                Optimizer::of,
                mode == Mode.TRAIN ? Optimizer.ADAMW : Optimizer.NONE);
        Finetune finetune = f.choice("finetune", Named.ids(Finetune.class), Finetune::of, Finetune.FULL);
        Long trainable = f.optInteger("trainable_params", 0, Limits.MAX_PARAMS);
        Long rank = f.optInteger("lora_rank", 1, Limits.MAX_LORA_RANK);
        long batch = f.integer("batch", 1, Limits.MAX_BATCH, null);
        Long seq = f.optInteger("seq_len", 1, Limits.MAX_SEQ_LEN);
        Long res = f.optInteger("resolution", Limits.MIN_RESOLUTION, Limits.MAX_RESOLUTION);
        boolean gc = f.bool("gradient_checkpointing", false);
        Boolean flash = f.has("flash_attention") ? f.bool("flash_attention", true) : null;
        boolean ema = f.bool("ema", false);
        Quantization q = f.choice("quantization", Named.ids(Quantization.class), Quantization::of, Quantization.NF4);
        if (!f.has("quantization")) {
            q = null;
        }
        Long classes = f.optInteger("num_classes", 1, 100_000);
        RunSetup run = run(f, finetune);
        String measured = f.string("measured");
        Measurement.Kind kind = f.choice(
                "measure_kind", Named.ids(Measurement.Kind.class), v -> Named.byId(Measurement.Kind.class, v), null);
        // descriptive fields a reader accepts
        f.string("notes", null);
        f.string("excerpt", null);
        f.string("quality", null);
        f.bool("seq_len_assumed", false);
        boolean uncertain = f.bool("uncertain_kind", false) | f.bool("uncertain_unit", false);
        Long bytes = null;
        boolean oom = "oom".equals(measured);
        if (measured != null && !oom) {
            try {
                bytes = Sizes.parse(measured);
            } catch (IllegalArgumentException e) {
                f.problem("measured", e.getMessage() + ", or oom");
            }
        }
        if (oom && gpu == null) {
            f.problem("gpu", "an oom point needs the card it ran out of memory on" + where);
        }
        if (kind == Measurement.Kind.DEVICE_USED && gpu == null && !oom) {
            f.problem("gpu", "a device_used reading needs its card (the CUDA runtime differs by card)" + where);
        }
        if (model != null && catalog.model(model) != null) {
            boolean vision = catalog.model(model).vision();
            if (vision && res == null) {
                f.problem("resolution", "is required for the vision model \"" + model + "\"" + where);
            } else if (!vision && seq == null) {
                f.problem("seq_len", "is required for the text model \"" + model + "\"" + where);
            }
        }
        if (problems.size() > before
                || id == null
                || mode == null
                || precision == null
                || kind == null
                || (bytes == null && !oom)) {
            return null;
        }
        return new Measurement(
                id,
                f.loc(),
                source,
                model,
                gpu,
                mode,
                precision,
                optimizer,
                finetune,
                trainable,
                rank == null ? null : rank.intValue(),
                (int) batch,
                seq == null ? null : seq.intValue(),
                res == null ? null : res.intValue(),
                gc,
                flash,
                ema,
                q,
                classes == null ? null : classes.intValue(),
                bytes,
                kind,
                uncertain,
                run);
    }

    /** Format 2's "How the run was set up"; null after a problem (reported at the field). */
    private static RunSetup run(Fields f, Finetune finetune) {
        Framework framework =
                f.has("framework") ? f.choice("framework", Named.ids(Framework.class), Framework::of, null) : null;
        Precision adapterDtype = f.has("adapter_dtype")
                ? f.choice(
                        "adapter_dtype", ADAPTER_DTYPES, v -> ADAPTER_DTYPES.contains(v) ? Precision.of(v) : null, null)
                : null;
        if (adapterDtype != null && finetune == Finetune.FULL) {
            f.problem(
                    "adapter_dtype",
                    "applies to adapter fine-tuning (lora, qlora, adapter, adapter-v2); finetune is full");
        }
        Long zero = f.optInteger("zero_stage", 0, 3);
        Offload offload = f.has("offload") ? f.choice("offload", Named.ids(Offload.class), Offload::of, null) : null;
        long gpus = f.integer("gpus", 1, Limits.MAX_GPUS, 1L);
        Long objects = f.optInteger("max_objects", 0, Limits.MAX_OBJECTS);
        try {
            return new RunSetup(
                    framework,
                    adapterDtype,
                    zero == null ? null : zero.intValue(),
                    offload,
                    (int) gpus,
                    objects == null ? null : objects.intValue());
        } catch (IllegalArgumentException e) {
            f.problem(f.has("offload") ? "offload" : "zero_stage", e.getMessage());
            return null;
        }
    }

    /** The dtypes adapters train in, as format 2 spells them. */
    private static final List<String> ADAPTER_DTYPES = List.of("fp32", "bf16", "fp16");

    static String shown(Path p) {
        return Shown.path(p);
    }
}
