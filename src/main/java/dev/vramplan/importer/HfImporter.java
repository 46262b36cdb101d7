package dev.vramplan.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vramplan.catalog.TransformerSpec;
import dev.vramplan.input.InputFiles;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.input.Suggest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a Hugging Face {@code config.json} into a transformer description. Each model type maps its own
 * field names (and its own architecture facts the config leaves implicit, e.g. which layers have biases).
 */
public final class HfImporter {
    public static final List<String> TYPES = List.of(
            "llama",
            "mistral",
            "qwen",
            "qwen2",
            "gemma",
            "gemma2",
            "phi",
            "phi3",
            "falcon",
            "gpt2",
            "bert",
            "vit",
            "stablelm",
            "gpt_neox",
            "gpt_bigcode");

    private final HfConfig cfg;

    private HfImporter(JsonNode c, String file) {
        this.cfg = new HfConfig(c, file);
    }

    /** The imported description with its family (the model_type). */
    public record Imported(String family, TransformerSpec spec) {}

    public static Imported read(Path config) {
        String shown = config.toString();
        JsonNode node;
        try {
            node = new ObjectMapper().readTree(InputFiles.read(config, "config.json file"));
        } catch (InputFiles.Unreadable e) {
            throw new InvalidInputException(shown + ":1:1: " + e.getMessage());
        } catch (JsonProcessingException e) {
            var l = e.getLocation();
            throw new InvalidInputException(shown + ":" + (l == null ? 1 : l.getLineNr()) + ":"
                    + (l == null ? 1 : l.getColumnNr()) + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidInputException(shown + ":1:1: cannot be read: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(shown + ":1:1: expected a JSON object (a config.json)");
        }
        return new HfImporter(node, shown).convert();
    }

    private Imported convert() {
        String type = cfg.modelType();
        if (type.equals("RefinedWeb") || type.equals("RefinedWebModel")) {
            type = "falcon";
        }
        if (!TYPES.contains(type)) {
            throw cfg.problem(
                    "model_type",
                    (type.isEmpty() ? "is missing" : "\"" + type + "\" is not supported") + ": one of "
                            + String.join(", ", TYPES) + "." + Suggest.didYouMean(type, TYPES));
        }
        TransformerSpec.Kind decoder = TransformerSpec.Kind.DECODER;
        TransformerSpec spec =
                switch (type) {
                    case "llama", "mistral", "qwen2", "gemma", "gemma2", "phi3" -> {
                        int h = cfg.num("hidden_size");
                        int heads = cfg.num("num_attention_heads");
                        int kv = cfg.num(heads, "num_key_value_heads");
                        int hd = cfg.num(h / heads, "head_dim");
                        boolean attnBias = cfg.flag("attention_bias", false);
                        boolean qkvBias = type.equals("qwen2") || attnBias;
                        boolean gemma = type.startsWith("gemma");
                        boolean tied = cfg.flag("tie_word_embeddings", gemma);
                        yield new TransformerSpec(
                                decoder,
                                cfg.num("num_hidden_layers"),
                                h,
                                heads,
                                kv,
                                hd,
                                cfg.num("intermediate_size"),
                                cfg.num("vocab_size"),
                                cfg.num(4096, "max_position_embeddings"),
                                true,
                                gemma ? "gelu" : "silu",
                                true,
                                type.equals("gemma2") ? 4 : 2,
                                qkvBias,
                                attnBias,
                                cfg.flag("mlp_bias", false),
                                tied,
                                false,
                                "rope",
                                0,
                                false,
                                false,
                                true,
                                cfg.real("attention_dropout", 0),
                                0,
                                0,
                                0,
                                0);
                    }
                    case "qwen" -> {
                        // QWen v1: intermediate_size counts both halves of the gated MLP (w1 and w2 are each half as
                        // wide)
                        int h = cfg.num("hidden_size");
                        int heads = cfg.num("num_attention_heads");
                        yield new TransformerSpec(
                                decoder,
                                cfg.num("num_hidden_layers"),
                                h,
                                heads,
                                heads,
                                h / heads,
                                cfg.num("intermediate_size") / 2,
                                cfg.num("vocab_size"),
                                cfg.num(8192, "seq_length", "max_position_embeddings"),
                                true,
                                "silu",
                                true,
                                2,
                                true,
                                false,
                                false,
                                cfg.flag("tie_word_embeddings", false),
                                false,
                                "rope",
                                0,
                                false,
                                false,
                                true,
                                0,
                                0,
                                0,
                                0,
                                0);
                    }
                    case "phi" -> {
                        int h = cfg.num("hidden_size");
                        int heads = cfg.num("num_attention_heads");
                        yield new TransformerSpec(
                                decoder,
                                cfg.num("num_hidden_layers"),
                                h,
                                heads,
                                cfg.num(heads, "num_key_value_heads"),
                                h / heads,
                                cfg.num("intermediate_size"),
                                cfg.num("vocab_size"),
                                cfg.num(2048, "max_position_embeddings"),
                                false,
                                "gelu",
                                false,
                                1,
                                true,
                                true,
                                true,
                                cfg.flag("tie_word_embeddings", false),
                                true,
                                "rope",
                                0,
                                false,
                                false,
                                true,
                                cfg.real("resid_pdrop", 0),
                                0,
                                0,
                                0,
                                0);
                    }
                    case "falcon" -> {
                        int h = cfg.num("hidden_size");
                        int heads = cfg.num("num_attention_heads", "n_head");
                        boolean newArch = cfg.flag("new_decoder_architecture", false);
                        int kv = newArch
                                ? cfg.num(heads, "num_kv_heads", "n_head_kv")
                                : cfg.flag("multi_query", true) ? 1 : heads;
                        boolean bias = cfg.flag("bias", false);
                        yield new TransformerSpec(
                                decoder,
                                cfg.num("num_hidden_layers", "n_layer"),
                                h,
                                heads,
                                kv,
                                h / heads,
                                cfg.num(4 * h, "ffn_hidden_size"),
                                cfg.num("vocab_size"),
                                cfg.num(2048, "max_position_embeddings"),
                                false,
                                "gelu",
                                false,
                                newArch ? 2 : 1,
                                bias,
                                bias,
                                bias,
                                cfg.flag("tie_word_embeddings", true),
                                false,
                                cfg.flag("alibi", false) ? "alibi" : "rope",
                                0,
                                false,
                                false,
                                true,
                                0,
                                0,
                                0,
                                0,
                                0);
                    }
                    case "gpt2" -> {
                        int h = cfg.num("n_embd", "hidden_size");
                        yield new TransformerSpec(
                                decoder,
                                cfg.num("n_layer"),
                                h,
                                cfg.num("n_head"),
                                cfg.num("n_head"),
                                h / cfg.num("n_head"),
                                cfg.num(4 * h, "n_inner"),
                                cfg.num("vocab_size"),
                                cfg.num("n_positions"),
                                false,
                                "gelu",
                                false,
                                2,
                                true,
                                true,
                                true,
                                cfg.flag("tie_word_embeddings", true),
                                false,
                                "learned",
                                0,
                                false,
                                false,
                                true,
                                cfg.real("resid_pdrop", 0.1),
                                0,
                                0,
                                0,
                                0);
                    }
                    case "gpt_bigcode" -> {
                        int h = cfg.num("n_embd", "hidden_size");
                        int heads = cfg.num("n_head");
                        yield new TransformerSpec(
                                decoder,
                                cfg.num("n_layer"),
                                h,
                                heads,
                                cfg.flag("multi_query", true) ? 1 : heads,
                                h / heads,
                                cfg.num(4 * h, "n_inner"),
                                cfg.num("vocab_size"),
                                cfg.num("n_positions"),
                                false,
                                "gelu",
                                false,
                                2,
                                true,
                                true,
                                true,
                                cfg.flag("tie_word_embeddings", true),
                                false,
                                "learned",
                                0,
                                false,
                                false,
                                true,
                                cfg.real("resid_pdrop", 0),
                                0,
                                0,
                                0,
                                0);
                    }
                    case "gpt_neox" -> {
                        int h = cfg.num("hidden_size");
                        int heads = cfg.num("num_attention_heads");
                        yield new TransformerSpec(
                                decoder,
                                cfg.num("num_hidden_layers"),
                                h,
                                heads,
                                heads,
                                h / heads,
                                cfg.num("intermediate_size"),
                                cfg.num("vocab_size"),
                                cfg.num("max_position_embeddings"),
                                false,
                                "gelu",
                                false,
                                2,
                                true,
                                true,
                                true,
                                cfg.flag("tie_word_embeddings", false),
                                false,
                                "rope",
                                0,
                                false,
                                false,
                                true,
                                0,
                                0,
                                0,
                                0,
                                0);
                    }
                    case "stablelm" -> {
                        int h = cfg.num("hidden_size");
                        int heads = cfg.num("num_attention_heads");
                        yield new TransformerSpec(
                                decoder,
                                cfg.num("num_hidden_layers"),
                                h,
                                heads,
                                cfg.num(heads, "num_key_value_heads"),
                                h / heads,
                                cfg.num("intermediate_size"),
                                cfg.num("vocab_size"),
                                cfg.num("max_position_embeddings"),
                                true,
                                "silu",
                                false,
                                cfg.flag("use_parallel_residual", false) ? 1 : 2,
                                cfg.flag("use_qkv_bias", false),
                                false,
                                false,
                                cfg.flag("tie_word_embeddings", false),
                                false,
                                "rope",
                                0,
                                false,
                                false,
                                true,
                                0,
                                0,
                                0,
                                0,
                                0);
                    }
                    case "bert" -> {
                        int h = cfg.num("hidden_size");
                        int heads = cfg.num("num_attention_heads");
                        yield new TransformerSpec(
                                TransformerSpec.Kind.ENCODER,
                                cfg.num("num_hidden_layers"),
                                h,
                                heads,
                                heads,
                                h / heads,
                                cfg.num("intermediate_size"),
                                cfg.num("vocab_size"),
                                cfg.num("max_position_embeddings"),
                                false,
                                "gelu",
                                false,
                                2,
                                true,
                                true,
                                true,
                                true,
                                false,
                                "learned",
                                cfg.num(2, "type_vocab_size"),
                                true,
                                true,
                                false,
                                cfg.real("hidden_dropout_prob", 0.1),
                                0,
                                0,
                                0,
                                0);
                    }
                    case "vit" -> {
                        int h = cfg.num("hidden_size");
                        int heads = cfg.num("num_attention_heads");
                        JsonNode labels = cfg.get("id2label");
                        int classes = labels != null && labels.isObject() && labels.size() > 0 ? labels.size() : 1000;
                        yield new TransformerSpec(
                                TransformerSpec.Kind.VISION,
                                cfg.num("num_hidden_layers"),
                                h,
                                heads,
                                heads,
                                h / heads,
                                cfg.num("intermediate_size"),
                                0,
                                1,
                                false,
                                "gelu",
                                false,
                                2,
                                cfg.flag("qkv_bias", true),
                                true,
                                true,
                                false,
                                false,
                                "learned",
                                0,
                                false,
                                false,
                                true,
                                cfg.real("hidden_dropout_prob", 0),
                                cfg.num(224, "image_size"),
                                cfg.num(16, "patch_size"),
                                cfg.num(3, "num_channels"),
                                classes);
                    }
                    default -> throw new IllegalStateException(type);
                };
        return new Imported(type, spec);
    }
}
