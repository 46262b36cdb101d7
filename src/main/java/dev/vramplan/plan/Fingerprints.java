package dev.vramplan.plan;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.Gpu;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Workload;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * SHA-256 fingerprints of what a plan was made from: the catalog as loaded (every card, model, workload and
 * calibration, in a canonical text) and each entry on its own, so that two runs can be compared down to
 * the entry that changed.
 */
public final class Fingerprints {
    private Fingerprints() {}

    /** Per-entry fingerprints and one for the whole catalog. */
    public record Of(
            String catalog, Map<String, String> gpus, Map<String, String> models, Map<String, String> workloads) {}

    public static Of of(Catalog c) {
        Map<String, String> gpus = new LinkedHashMap<>();
        c.gpus().forEach((id, g) -> gpus.put(id, sha(canonical(g))));
        Map<String, String> models = new LinkedHashMap<>();
        c.models().forEach((id, m) -> models.put(id, sha(canonical(m) + calibration(c, m))));
        Map<String, String> workloads = new LinkedHashMap<>();
        c.workloads().forEach(w -> workloads.put(w.id(), sha(canonical(w))));
        StringBuilder all = new StringBuilder();
        new TreeMap<>(gpus)
                .forEach((k, v) ->
                        all.append("gpu ").append(k).append(' ').append(v).append('\n'));
        new TreeMap<>(models)
                .forEach((k, v) ->
                        all.append("model ").append(k).append(' ').append(v).append('\n'));
        workloads.forEach((k, v) ->
                all.append("workload ").append(k).append(' ').append(v).append('\n'));
        new TreeMap<>(c.fleetCards())
                .forEach((k, v) ->
                        all.append("card ").append(k).append(' ').append(v).append('\n'));
        // the bands decide plans too (rules judge the top of the band): a rebuilt bands.yaml is a changed catalog
        c.bands().groups().values().forEach(g -> all.append("band ")
                .append(g.key())
                .append(' ')
                .append(g.margin())
                .append('\n'));
        return new Of(sha(all.toString()), gpus, models, workloads);
    }

    static String canonical(Gpu g) {
        return g.id() + "|" + g.name() + "|" + g.vendor() + "|" + g.gpuClass() + "|" + g.architecture() + "|"
                + g.computeCapability() + "|" + g.memoryBytes() + "|" + g.usableBytes() + "|" + g.bandwidthGBps() + "|"
                + g.tdpWatts() + "|" + new TreeSet<>(g.nativePrecisions()) + "|" + new TreeMap<>(g.peakDenseTflops())
                + "|" + g.runtimeBytes();
    }

    static String canonical(Model m) {
        return m.toString();
    }

    static String canonical(Workload w) {
        return w.toString();
    }

    private static String calibration(Catalog c, Model m) {
        var cal = c.calibration(m);
        return cal == null ? "" : "|calibration " + cal.activationFactor();
    }

    public static String sha(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
