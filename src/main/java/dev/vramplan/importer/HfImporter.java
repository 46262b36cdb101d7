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

    private final JsonNode c;
    private final String file;

    private HfImporter(JsonNode c, String file) {
        this.c = c;
        this.file = file;
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

    private InvalidInputException problem(String field, String message) {
        return new InvalidInputException(file + ":1:1: " + field + ": " + message);
    }

    private int num(String... names) {
        for (String n : names) {
            JsonNode v = c.get(n);
            if (v != null && v.canConvertToInt()) {
                return v.asInt();
            }
        }
        throw problem(names[0], "is missing (a " + modelType() + " config has it)");
    }

    private int num(int fallback, String... names) {
        for (String n : names) {
            JsonNode v = c.get(n);
            if (v != null && v.canConvertToInt()) {
                return v.asInt();
            }
        }
        return fallback;
    }

    private boolean flag(String name, boolean fallback) {
        JsonNode v = c.get(name);
        return v != null && v.isBoolean() ? v.asBoolean() : fallback;
    }

    private double real(String name, double fallback) {
        JsonNode v = c.get(name);
        return v != null && v.isNumber() ? v.asDouble() : fallback;
    }

    private String modelType() {
        JsonNode t = c.get("model_type");
        return t == null ? "" : t.asText();
    }

    private Imported convert() {
        String type = modelType();
        if (type.equals("RefinedWeb") || type.equals("RefinedWebModel")) {
            type = "falcon";
        }
        if (!TYPES.contains(type)) {
            throw problem(
                    "model_type",
                    (type.isEmpty() ? "is missing" : "\"" + type + "\" is not supported") + ": one of "
                            + String.join(", ", TYPES) + "." + Suggest.didYouMean(type, TYPES));
        }
        TransformerSpec.Kind decoder = TransformerSpec.Kind.DECODER;
        TransformerSpec spec =
                switch (type) {
                    case "llama", "mistral", "qwen2", "gemma", "gemma2", "phi3" -> {
                        int h = num("hidden_size");
                        int heads = num("num_attention_heads");
                        int kv = num(heads, "num_key_value_heads");
                        int hd = num(h / heads, "head_dim");
                        boolean attnBias = flag("attention_bias", false);
                        boolean qkvBias = type.equals("qwen2") || attnBias;
                        boolean gemma = type.startsWith("gemma");
                        boolean tied = flag("tie_word_embeddings", gemma);
                        yield new TransformerSpec(
                                decoder,
                                num("num_hidden_layers"),
                                h,
                                heads,
                                kv,
                                hd,
                                num("intermediate_size"),
                                num("vocab_size"),
                                num(4096, "max_position_embeddings"),
                                true,
                                gemma ? "gelu" : "silu",
                                true,
                                type.equals("gemma2") ? 4 : 2,
                                qkvBias,
                                attnBias,
                                flag("mlp_bias", false),
                                tied,
                                false,
                                "rope",
                                0,
                                false,
                                false,
                                true,
                                real("attention_dropout", 0),
                                0,
                                0,
                                0,
                                0);
                    }
                    case "qwen" -> {
                        // QWen v1: intermediate_size counts both halves of the gated MLP (w1 and w2 are each half as
                        // wide)
                        int h = num("hidden_size");
                        int heads = num("num_attention_heads");
                        yield new TransformerSpec(
                                decoder,
                                num("num_hidden_layers"),
                                h,
                                heads,
                                heads,
                                h / heads,
                                num("intermediate_size") / 2,
                                num("vocab_size"),
                                num(8192, "seq_length", "max_position_embeddings"),
                                true,
                                "silu",
                                true,
                                2,
                                true,
                                false,
                                false,
                                flag("tie_word_embeddings", false),
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
                        int h = num("hidden_size");
                        int heads = num("num_attention_heads");
                        yield new TransformerSpec(
                                decoder,
                                num("num_hidden_layers"),
                                h,
                                heads,
                                num(heads, "num_key_value_heads"),
                                h / heads,
                                num("intermediate_size"),
                                num("vocab_size"),
                                num(2048, "max_position_embeddings"),
                                false,
                                "gelu",
                                false,
                                1,
                                true,
                                true,
                                true,
                                flag("tie_word_embeddings", false),
                                true,
                                "rope",
                                0,
                                false,
                                false,
                                true,
                                real("resid_pdrop", 0),
                                0,
                                0,
                                0,
                                0);
                    }
                    case "falcon" -> {
                        int h = num("hidden_size");
                        int heads = num("num_attention_heads", "n_head");
                        boolean newArch = flag("new_decoder_architecture", false);
                        int kv = newArch
                                ? num(heads, "num_kv_heads", "n_head_kv")
                                : flag("multi_query", true) ? 1 : heads;
                        boolean bias = flag("bias", false);
                        yield new TransformerSpec(
                                decoder,
                                num("num_hidden_layers", "n_layer"),
                                h,
                                heads,
                                kv,
                                h / heads,
                                num(4 * h, "ffn_hidden_size"),
                                num("vocab_size"),
                                num(2048, "max_position_embeddings"),
                                false,
                                "gelu",
                                false,
                                newArch ? 2 : 1,
                                bias,
                                bias,
                                bias,
                                flag("tie_word_embeddings", true),
                                false,
                                flag("alibi", false) ? "alibi" : "rope",
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
                        int h = num("n_embd", "hidden_size");
                        yield new TransformerSpec(
                                decoder,
                                num("n_layer"),
                                h,
                                num("n_head"),
                                num("n_head"),
                                h / num("n_head"),
                                num(4 * h, "n_inner"),
                                num("vocab_size"),
                                num("n_positions"),
                                false,
                                "gelu",
                                false,
                                2,
                                true,
                                true,
                                true,
                                flag("tie_word_embeddings", true),
                                false,
                                "learned",
                                0,
                                false,
                                false,
                                true,
                                real("resid_pdrop", 0.1),
                                0,
                                0,
                                0,
                                0);
                    }
                    case "gpt_bigcode" -> {
                        int h = num("n_embd", "hidden_size");
                        int heads = num("n_head");
                        yield new TransformerSpec(
                                decoder,
                                num("n_layer"),
                                h,
                                heads,
                                flag("multi_query", true) ? 1 : heads,
                                h / heads,
                                num(4 * h, "n_inner"),
                                num("vocab_size"),
                                num("n_positions"),
                                false,
                                "gelu",
                                false,
                                2,
                                true,
                                true,
                                true,
                                flag("tie_word_embeddings", true),
                                false,
                                "learned",
                                0,
                                false,
                                false,
                                true,
                                real("resid_pdrop", 0),
                                0,
                                0,
                                0,
                                0);
                    }
                    case "gpt_neox" -> {
                        int h = num("hidden_size");
                        int heads = num("num_attention_heads");
                        yield new TransformerSpec(
                                decoder,
                                num("num_hidden_layers"),
                                h,
                                heads,
                                heads,
                                h / heads,
                                num("intermediate_size"),
                                num("vocab_size"),
                                num("max_position_embeddings"),
                                false,
                                "gelu",
                                false,
                                2,
                                true,
                                true,
                                true,
                                flag("tie_word_embeddings", false),
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
                        int h = num("hidden_size");
                        int heads = num("num_attention_heads");
                        yield new TransformerSpec(
                                decoder,
                                num("num_hidden_layers"),
                                h,
                                heads,
                                num(heads, "num_key_value_heads"),
                                h / heads,
                                num("intermediate_size"),
                                num("vocab_size"),
                                num("max_position_embeddings"),
                                true,
                                "silu",
                                false,
                                flag("use_parallel_residual", false) ? 1 : 2,
                                flag("use_qkv_bias", false),
                                false,
                                false,
                                flag("tie_word_embeddings", false),
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
                        int h = num("hidden_size");
                        int heads = num("num_attention_heads");
                        yield new TransformerSpec(
                                TransformerSpec.Kind.ENCODER,
                                num("num_hidden_layers"),
                                h,
                                heads,
                                heads,
                                h / heads,
                                num("intermediate_size"),
                                num("vocab_size"),
                                num("max_position_embeddings"),
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
                                num(2, "type_vocab_size"),
                                true,
                                true,
                                false,
                                real("hidden_dropout_prob", 0.1),
                                0,
                                0,
                                0,
                                0);
                    }
                    case "vit" -> {
                        int h = num("hidden_size");
                        int heads = num("num_attention_heads");
                        JsonNode labels = c.get("id2label");
                        int classes = labels != null && labels.isObject() && labels.size() > 0 ? labels.size() : 1000;
                        yield new TransformerSpec(
                                TransformerSpec.Kind.VISION,
                                num("num_hidden_layers"),
                                h,
                                heads,
                                heads,
                                h / heads,
                                num("intermediate_size"),
                                0,
                                1,
                                false,
                                "gelu",
                                false,
                                2,
                                flag("qkv_bias", true),
                                true,
                                true,
                                false,
                                false,
                                "learned",
                                0,
                                false,
                                false,
                                true,
                                real("hidden_dropout_prob", 0),
                                num(224, "image_size"),
                                num(16, "patch_size"),
                                num(3, "num_channels"),
                                classes);
                    }
                    default -> throw new IllegalStateException(type);
                };
        return new Imported(type, spec);
    }
}
