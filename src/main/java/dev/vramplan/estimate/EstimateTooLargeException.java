package dev.vramplan.estimate;

import dev.vramplan.catalog.Limits;
import dev.vramplan.input.Sizes;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A configuration whose memory, one component or the total, is beyond {@link Limits#MAX_ESTIMATE_BYTES}: no card
 * holds it, so the estimator refuses it rather than return totals that are not the sum of their parts. Callers
 * name the options or fields behind it ({@link #inputs()}): {@code estimate} exits 2, the planner drops the batch.
 */
public final class EstimateTooLargeException extends RuntimeException {
    /** What makes an estimate this large. */
    public enum Input {
        /** The model's own parameters (its architecture in the catalog). */
        MODEL,
        /** The batch, multiplying what one sample needs. */
        BATCH,
        /** The input size: resolution for images, sequence length for text. */
        SIZE,
        /** The trainable adapter parameters (their count or the LoRA rank). */
        ADAPTERS
    }

    private final Component component;
    private final double componentBytes;
    private final double totalBytes;
    private final List<Input> inputs;

    EstimateTooLargeException(Component component, double componentBytes, double totalBytes, List<Input> inputs) {
        super(null, null, false, false);
        this.component = component;
        this.componentBytes = componentBytes;
        this.totalBytes = totalBytes;
        this.inputs = List.copyOf(inputs);
    }

    /** The largest component: the one that is beyond the bound, or the largest part of a total that is. */
    public Component component() {
        return component;
    }

    public double componentBytes() {
        return componentBytes;
    }

    /** The estimate's total (device bytes) as far as it was worked out, in bytes (beyond a long, possibly). */
    public double totalBytes() {
        return totalBytes;
    }

    /** The inputs behind {@link #component()}, largest factor last: [MODEL], [ADAPTERS], [SIZE] or [BATCH, SIZE]. */
    public List<Input> inputs() {
        return inputs;
    }

    /**
     * What is too large, without naming options: e.g. {@code the estimate exceeds 1 PiB (no GPU holds that much):
     * the activations alone would take 2.25 EiB}.
     */
    public String reason() {
        String head = "the estimate exceeds " + Limits.MAX_ESTIMATE + " (no GPU holds that much): ";
        if (componentBytes > Limits.MAX_ESTIMATE_BYTES) {
            return head + "the " + name(component) + " alone would take " + Sizes.humanBeyondLong(componentBytes);
        }
        return head + "it would take " + Sizes.humanBeyondLong(totalBytes) + ", the largest part " + name(component)
                + " (" + Sizes.humanBeyondLong(componentBytes) + ")";
    }

    /**
     * One line for the user: the options or fields behind it, the reason and what to do, e.g. {@code --batch 1048576
     * with --resolution 16384: the estimate exceeds 1 PiB (no GPU holds that much): the activations alone would take
     * 2.25 EiB; give smaller values}.
     */
    public String line(Function<Input, String> name) {
        List<String> names = inputs.stream().map(name).distinct().toList();
        String advice = inputs.equals(List.of(Input.MODEL))
                ? "check its architecture in the catalog"
                : names.size() == 1 ? "give a smaller value" : "give smaller values";
        return names.stream().collect(Collectors.joining(" with ")) + ": " + reason() + "; " + advice;
    }

    @Override
    public String getMessage() {
        return reason();
    }

    static String name(Component c) {
        return switch (c) {
            case WEIGHTS -> "weights";
            case GRADIENTS -> "gradients";
            case OPTIMIZER_STATES -> "optimizer states";
            case ACTIVATIONS -> "activations";
            case KV_CACHE -> "KV cache";
            case INPUT_OUTPUT -> "inputs and outputs";
            case WORKSPACE -> "workspace";
            case COMMUNICATION -> "communication buffers";
            case ALLOCATOR_CACHE -> "allocator cache";
            case RUNTIME -> "runtime";
        };
    }
}
