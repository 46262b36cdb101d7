package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.vramplan.Shipped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded mutator edits the shipped catalog and rules thousands of times (deleting, duplicating and swapping
 * lines, changing characters, numbers and names, truncating): every run ends with 0 or 2, never an uncaught
 * exception, a stack trace or a hang.
 */
class FuzzTest {
    /**
     * Mutations per run: a short budget in every 'mvn test', the long one with 'mvn -Plong test' (.ci/run runs both).
     * The seeds are fixed, so the short run is the first part of the long one.
     */
    static final int CATALOG_MUTATIONS = Integer.getInteger("vramplan.long.catalogs", 300);

    static final int RULE_MUTATIONS = Integer.getInteger("vramplan.long.rules", 16);

    static final String[] JUNK = {
        "",
        "-1",
        "0",
        "1e400",
        "99999999999999999999",
        "\t",
        "\"",
        "'",
        ":",
        "[",
        "{",
        "- ",
        "null",
        "~",
        "&a",
        "*a",
        "!!binary",
        "NaN",
        ".inf",
        "é",
        "\u0000",
        "GiB",
        "24 GiG",
        "true",
        "nvidia",
        "yolov8s",
        "%"
    };

    static String mutate(String text, Random rnd) {
        List<String> lines = new ArrayList<>(text.lines().toList());
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
        for (int i = 0; i < CATALOG_MUTATIONS; i++) {
            int f = rnd.nextInt(files.size());
            Files.writeString(dir.resolve(files.get(f)), mutate(originals[f], rnd), StandardCharsets.UTF_8);
            CliTest.Result r = assertTimeoutPreemptively(
                    Duration.ofSeconds(20), () -> CliTest.run("catalog", "check", "--catalog", dir.toString()));
            assertThat(r.code())
                    .as("mutation %d of %s:%n%s", i, files.get(f), r.err())
                    .isIn(0, 2);
            assertThat(r.err()).as("mutation %d", i).doesNotContain("\tat ").doesNotContain("unexpected failure");
            if (r.code() == 2) {
                failures++;
                assertThat(r.err().lines().findFirst().orElse("")).matches(".+:\\d+:\\d+: .+");
            }
            Files.writeString(dir.resolve(files.get(f)), originals[f]);
        }
        assertThat(failures).isGreaterThan(CATALOG_MUTATIONS / 4); // most mutations break something
    }

    /** Whole numbers and fractions as YAML writes them, and the forms no field can take (base 60, beyond a long). */
    static final String[] NUMBER_FORMS = {
        "1_000", "0x10", "0o17", "0b101", "-0x1", "1:30", "1:30.5", "1_000.5", "0x1_0000_0000_0000_0000", ".inf"
    };

    /**
     * Every field of the shipped catalog that holds a number (the first of each field and YOLO/CNN row shape per file)
     * gets every YAML number form: each run ends with 0 or 2 and lines of file:line:col, never a NumberFormatException.
     */
    @Test
    void everyNumberFieldTakesEveryYamlNumberForm() throws IOException {
        Pattern number = Pattern.compile("(?<=[\\s\\[,:])[-+]?[0-9][0-9_.]*(?=\\s*(?:[],#]|$))");
        Path dir = Shipped.copy(Shipped.CATALOG, tmp.resolve("n"));
        int fields = 0;
        for (String file : List.of("gpus.yaml", "models.yaml", "fleet.yaml")) {
            String original = Files.readString(dir.resolve(file));
            List<String> lines = original.lines().toList();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = number.matcher(lines.get(i));
                if (lines.get(i).trim().startsWith("#")
                        || !m.find()
                        || !seen.add(lines.get(i).substring(0, m.start()).replaceAll("[0-9\\s]", ""))) {
                    continue;
                }
                fields++;
                for (String form : NUMBER_FORMS) {
                    List<String> edited = new ArrayList<>(lines);
                    edited.set(
                            i,
                            lines.get(i).substring(0, m.start())
                                    + form
                                    + lines.get(i).substring(m.end()));
                    Files.writeString(dir.resolve(file), String.join("\n", edited) + "\n");
                    CliTest.Result r = CliTest.run("catalog", "check", "--catalog", dir.toString());
                    String what = file + ":" + (i + 1) + " as " + form + ":\n" + r.err();
                    assertThat(r.code()).as(what).isIn(0, 2);
                    assertThat(r.err())
                            .as(what)
                            .doesNotContain("\tat ")
                            .doesNotContain("unexpected failure")
                            .doesNotContain("Exception");
                    List<String> problems = r.err().lines().toList();
                    for (String p : problems.subList(0, Math.max(0, problems.size() - 1))) {
                        assertThat(p).as(what).matches(".+:\\d+:\\d+: .+");
                    }
                }
            }
            Files.writeString(dir.resolve(file), original);
        }
        assertThat(fields).isGreaterThan(30);
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
        for (int i = 0; i < RULE_MUTATIONS; i++) {
            String file = files.get(rnd.nextInt(files.size()));
            String original = Files.readString(dir.resolve(file));
            Files.writeString(dir.resolve(file), mutate(original, rnd));
            boolean plan = i % 4 == 0;
            CliTest.Result r = assertTimeoutPreemptively(
                    Duration.ofSeconds(60),
                    () -> plan
                            ? CliTest.run(
                                    "plan",
                                    "--catalog",
                                    "src/test/resources/catalogs/minimal",
                                    "--rules",
                                    dir.toString(),
                                    "--db",
                                    db)
                            : CliTest.run("rules", "check", "--rules", dir.toString()));
            assertThat(r.code()).as("mutation %d of %s:%n%s", i, file, r.err()).isIn(0, 2);
            assertThat(r.err()).as("mutation %d", i).doesNotContain("\tat ").doesNotContain("unexpected failure");
            Files.writeString(dir.resolve(file), original);
        }
    }
}
