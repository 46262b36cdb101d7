package dev.vramplan.catalog;

import dev.vramplan.input.Fields;
import dev.vramplan.input.Sizes;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one card of {@code gpus.yaml}: datasheet facts, each checked (sizes, bandwidth, power, precisions). */
final class GpuReader {
    private static final Pattern RATE = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(GB/s|TB/s)\\s*");
    private static final Pattern WATTS = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*W\\s*");
    private static final List<String> VENDORS = List.of("nvidia", "amd");
    private static final List<String> CLASSES = List.of("datacenter", "workstation", "consumer");

    private GpuReader() {}

    static Gpu gpu(Fields f) {
        int before = f.problems().size();
        String id = CatalogLoader.id(f);
        String name = f.string("name");
        String vendor = f.choice("vendor", VENDORS, v -> VENDORS.contains(v) ? v : null, null);
        String cls = f.choice("class", CLASSES, v -> CLASSES.contains(v) ? v : null, "datacenter");
        String arch = f.string("architecture");
        Double cc = f.number("compute_capability", 1.0, 20.0, Double.NaN);
        if (cc != null && cc.isNaN()) {
            cc = null;
        }
        if ("nvidia".equals(vendor) && cc == null && !f.has("compute_capability")) {
            f.problem("compute_capability", "is required for NVIDIA cards (e.g. 8.6)");
        }
        Long memory = f.size("memory", true);
        Long usable = f.size("usable_memory", true);
        if (memory != null && usable != null && usable > memory * 11 / 10) {
            // consumer datasheets round GiB down to "GB" (a GTX 1060's "6 GB" is 6 GiB, 7% more): 10% is allowed
            f.problem(
                    "usable_memory",
                    Sizes.human(usable) + " is more than 10% above the memory sold (" + Sizes.human(memory) + ")");
            usable = null;
        }
        Double bandwidth = rate(f, "memory_bandwidth");
        Double tdp = watts(f, "tdp");
        Set<DataType> natives = EnumSet.noneOf(DataType.class);
        natives.addAll(f.names("native_precisions", true, DataType.class));
        Map<DataType, Double> peaks = new EnumMap<>(DataType.class);
        Fields pf = f.map("peak_dense_tflops", false);
        if (pf != null) {
            for (DataType t : DataType.values()) {
                Double v = pf.number(t.id(), 0.001, 1_000_000, Double.NaN);
                if (v != null && !v.isNaN()) {
                    peaks.put(t, v);
                }
            }
            pf.finish();
        }
        Long runtime = f.size("runtime_overhead", false);
        if (f.problems().size() > before || id == null || memory == null || usable == null) {
            return null;
        }
        return new Gpu(
                id,
                name,
                vendor,
                cls,
                arch,
                cc,
                memory,
                usable,
                bandwidth == null ? 0 : bandwidth,
                tdp,
                natives,
                peaks,
                runtime);
    }

    private static Double rate(Fields f, String key) {
        String s = f.string(key, null);
        if (s == null) {
            if (!f.has(key)) {
                f.problem(key, "is required but missing");
            }
            return null;
        }
        Matcher m = RATE.matcher(s);
        if (!m.matches()) {
            f.problem(key, "\"" + s + "\" is not a bandwidth: write e.g. \"600 GB/s\" or \"3.35 TB/s\"");
            return null;
        }
        double v = Double.parseDouble(m.group(1)) * (m.group(2).equals("TB/s") ? 1000 : 1);
        if (v <= 0 || v > 100_000) {
            f.problem(key, "\"" + s + "\" is out of range (0 to 100 TB/s)");
            return null;
        }
        return v;
    }

    private static Double watts(Fields f, String key) {
        String s = f.string(key, null);
        if (s == null) {
            return null;
        }
        Matcher m = WATTS.matcher(s);
        if (!m.matches() || Double.parseDouble(m.group(1)) <= 0 || Double.parseDouble(m.group(1)) > 10_000) {
            f.problem(key, "\"" + s + "\" is not a power: write e.g. \"300 W\"");
            return null;
        }
        return Double.parseDouble(m.group(1));
    }
}
