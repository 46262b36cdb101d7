package dev.vramplan.catalog;

import java.util.ArrayList;
import java.util.List;

/**
 * Which group's band a job gets: the keys of its groups, finest first. Errors behave alike within one framework's
 * loop, one mode and one fine-tuning method (the finest group, e.g. {@code litgpt/train/qlora}); a group with fewer
 * points than {@link Bands#minPoints}, or points from fewer than {@link Bands#MIN_SOURCES} sources, merges into its
 * parent:
 * <ol>
 *   <li>{@code framework/mode/finetune} (inference: {@code framework/inference});
 *   <li>{@code text|vision/mode/full|adapters}: the same kind of network, mode and whether every weight trains;
 *   <li>{@code text|vision/mode};
 *   <li>{@code all}.
 * </ol>
 * A job takes the finest of its groups that has enough points; {@code all} holds every point.
 *
 * <p>A profile (training mode without an optimizer: forward and backward of the summed outputs, as Ultralytics'
 * AutoBatch runs it) is not a training run: no loss, no optimizer states, a handful of small batches read as
 * {@code memory_reserved()} while the allocator still holds what ran before. Its errors say nothing about a training
 * run's, so it has its own chain, {@code framework/profile}, {@code text|vision/profile}, {@code all}.
 */
public final class BandGroups {
    public static final String ALL = "all";

    /** The key of a profile's groups in place of the mode. */
    public static final String PROFILE = "profile";

    private BandGroups() {}

    /**
     * The keys, finest first, of a job run by {@code framework} (an id such as "litgpt"); {@code profile}: a
     * training-mode job without an optimizer (a forward/backward profile).
     */
    public static List<String> chain(String framework, Mode mode, Finetune finetune, boolean vision, boolean profile) {
        String domain = vision ? "vision" : "text";
        boolean train = mode == Mode.TRAIN;
        List<String> keys = new ArrayList<>();
        if (train && profile) {
            keys.add(framework + "/" + PROFILE);
            keys.add(domain + "/" + PROFILE);
            keys.add(ALL);
            return keys;
        }
        keys.add(framework + "/" + mode.id() + (train ? "/" + finetune.id() : ""));
        if (train) {
            keys.add(domain + "/" + mode.id() + "/" + (finetune == Finetune.FULL ? "full" : "adapters"));
        }
        keys.add(domain + "/" + mode.id());
        keys.add(ALL);
        return keys;
    }
}
