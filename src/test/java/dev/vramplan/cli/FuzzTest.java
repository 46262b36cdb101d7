package dev.vramplan.cli;

import dev.vramplan.Shipped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A seeded mutator edits the shipped catalog and rules thousands of times (deleting, duplicating and swapping
 * lines, changing characters, numbers and names, truncating): every run ends with 0 or 2, never an uncaught
 * exception, a stack trace or a hang.
 */
class FuzzTest {
    static final String[] JUNK = {"", "-1", "0", "1e400", "99999999999999999999", "\t", "\"", "'", ":", "[", "{", "- ", "null",
            "~", "&a", "*a", "!!binary", "NaN", ".inf", "é", "\u0000", "GiB", "24 GiG", "true", "nvidia", "yolov8s", "%"};

    static String mutate(String text, Random rnd) {
        List<String> lines = new java.util.ArrayList<>(text.lines().toList());
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits && !lines.isEmpty(); e++) {
            int i = rnd.nextInt(lines.size());
            String l = lines.get(i);
            switch (rnd.nextInt(8)) {
                case 0 -> lines.remove(i);
                case 1 -> lines.add(i, l);
                case 2 -> {
                    int j = rnd.nextInt(lines.size());
                    lines.set(i, lines.get(j));
                    lines.set(j, l);
                }
                case 3 -> {
                    if (!l.isEmpty()) {
                        int k = rnd.nextInt(l.length());
                        lines.set(i, l.substring(0, k) + JUNK[rnd.nextInt(JUNK.length)] + l.substring(k + 1));
                    }
                }
                case 4 -> lines.set(i, l.replaceAll("[0-9]+", JUNK[rnd.nextInt(JUNK.length)]));
                case 5 -> {
                    int colon = l.indexOf(':');
                    if (colon > 0) {
                        lines.set(i, l.substring(0, colon + 1) + " " + JUNK[rnd.nextInt(JUNK.length)]);
                    }
                }
                case 6 -> lines.set(i, "  " + l);
                default -> lines.subList(i, lines.size()).clear();
            }
        }
        return String.join("\n", lines) + (rnd.nextBoolean() ? "\n" : "");
    }

    @TempDir
    Path tmp;

    @Test
    void mutatedCatalogsEndWithACleanExit() throws IOException {
        Random rnd = new Random(20261125);
        List<String> files = List.of("gpus.yaml", "models.yaml", "fleet.yaml");
        Path dir = Shipped.copy(Shipped.CATALOG, tmp.resolve("c"));
        String[] originals = new String[files.size()];
        for (int f = 0; f < files.size(); f++) {
            originals[f] = Files.readString(dir.resolve(files.get(f)));
        }
        int failures = 0;
        for (int i = 0; i < 2000; i++) {
            int f = rnd.nextInt(files.size());
            Files.writeString(dir.resolve(files.get(f)), mutate(originals[f], rnd), StandardCharsets.UTF_8);
            CliTest.Result r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> CliTest.run("catalog", "check", "--catalog", dir.toString()));
            assertThat(r.code()).as("mutation %d of %s:%n%s", i, files.get(f), r.err()).isIn(0, 2);
            assertThat(r.err()).as("mutation %d", i).doesNotContain("\tat ").doesNotContain("unexpected failure");
            if (r.code() == 2) {
                failures++;
                assertThat(r.err().lines().findFirst().orElse("")).matches(".+:\\d+:\\d+: .+");
            }
            Files.writeString(dir.resolve(files.get(f)), originals[f]);
        }
        assertThat(failures).isGreaterThan(500);
    }

    @Test
    void mutatedRulesEndWithACleanExit() throws IOException {
        Random rnd = new Random(7);
        Path dir = Shipped.copy(Shipped.RULES, tmp.resolve("r"));
        List<String> files;
        try (var s = Files.list(dir)) {
            files = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        String db = tmp.resolve("db").toString();
        for (int i = 0; i < 60; i++) {
            String file = files.get(rnd.nextInt(files.size()));
            String original = Files.readString(dir.resolve(file));
            Files.writeString(dir.resolve(file), mutate(original, rnd));
            boolean plan = i % 4 == 0;
            CliTest.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> plan
                    ? CliTest.run("plan", "--catalog", "src/test/resources/catalogs/minimal", "--rules", dir.toString(), "--db", db)
                    : CliTest.run("rules", "check", "--rules", dir.toString()));
            assertThat(r.code()).as("mutation %d of %s:%n%s", i, file, r.err()).isIn(0, 2);
            assertThat(r.err()).as("mutation %d", i).doesNotContain("\tat ").doesNotContain("unexpected failure");
            Files.writeString(dir.resolve(file), original);
        }
    }
}
