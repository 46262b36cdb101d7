package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import dev.vramplan.store.PlanStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file of the bad-input corpus (src/test/resources/bad-input) gets exit code 2, exactly its expected
 * lines, no stack trace, and leaves a database that already holds a run exactly as it was.
 */
class BadInputTest {
    static final Path CORPUS = Path.of("src/test/resources/bad-input");
    static final Path MINIMAL = Path.of("src/test/resources/catalogs/minimal");

    @TempDir
    static Path tmp;

    static String db;

    @BeforeAll
    static void aDatabaseWithOneRun() {
        db = tmp.resolve("plans").toString();
        CliTest.Result r = CliTest.run("plan", "--catalog", MINIMAL.toString(), "--db", db);
        assertThat(r.code()).as(r.err()).isZero();
    }

    static int runs() {
        try (PlanStore s = PlanStore.open(db)) {
            return s.runCount();
        }
    }

    static List<Path> cases(String kind, String ext) throws IOException {
        try (Stream<Path> s = Files.list(CORPUS.resolve(kind))) {
            return s.filter(p -> p.toString().endsWith(ext)).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> badCatalogFiles() throws IOException {
        List<Path> files = cases("catalog", ".yaml");
        assertThat(files).hasSizeGreaterThanOrEqualTo(20);
        return files.stream()
                .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
                    String name = f.getFileName().toString().replace(".yaml", "");
                    Path dir = Shipped.copy(MINIMAL, Files.createTempDirectory(tmp, "c"));
                    Files.copy(
                            f,
                            dir.resolve(name.substring(0, name.indexOf('.')) + ".yaml"),
                            StandardCopyOption.REPLACE_EXISTING);
                    List<String> expected =
                            Files.readAllLines(CORPUS.resolve("catalog").resolve(name + ".expect"));
                    CliTest.Result check = CliTest.run("catalog", "check", "--catalog", dir.toString());
                    assertThat(check.code()).isEqualTo(2);
                    List<String> lines =
                            check.err().replace(dir + "/", "CATALOG/").lines().toList();
                    assertThat(lines.subList(0, lines.size() - 1)).isEqualTo(expected);
                    CliTest.Result plan = CliTest.run("plan", "--catalog", dir.toString(), "--db", db);
                    assertThat(plan.code()).isEqualTo(2);
                    assertThat(plan.err().replace(dir + "/", "CATALOG/").lines().toList())
                            .isEqualTo(expected);
                    assertThat(plan.err()).doesNotContain("\tat ").doesNotContain("Exception:");
                    assertThat(runs()).isEqualTo(1);
                }));
    }

    @TestFactory
    Stream<DynamicTest> badRuleFiles() throws IOException {
        List<Path> files = cases("rules", ".drl");
        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        return files.stream()
                .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
                    Path dir = Shipped.copy(Shipped.RULES, Files.createTempDirectory(tmp, "r"));
                    Files.copy(f, dir.resolve(f.getFileName()));
                    List<String> expected =
                            Files.readAllLines(Path.of(f.toString().replace(".drl", ".expect")));
                    CliTest.Result plan =
                            CliTest.run("plan", "--catalog", MINIMAL.toString(), "--rules", dir.toString(), "--db", db);
                    assertThat(plan.code()).isEqualTo(2);
                    assertThat(plan.err().replace(dir + "/", "RULES/").lines().toList())
                            .isEqualTo(expected);
                    assertThat(plan.err()).doesNotContain("\tat ");
                    assertThat(runs()).isEqualTo(1);
                }));
    }

    @Test
    void missingAndEmptyFolders() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty-rules"));
        CliTest.Result r =
                CliTest.run("plan", "--catalog", MINIMAL.toString(), "--rules", empty.toString(), "--db", db);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(empty + ":1:1: holds no .drl files: the policy is empty\n");
        CliTest.Result noRules =
                CliTest.run("rules", "check", "--rules", tmp.resolve("nope").toString());
        assertThat(noRules.err())
                .isEqualTo(tmp.resolve("nope") + ":1:1: the rules folder does not exist (give one with --rules DIR)\n");
        CliTest.Result noCatalog =
                CliTest.run("plan", "--catalog", tmp.resolve("nope").toString(), "--db", db);
        assertThat(noCatalog.code()).isEqualTo(2);
        assertThat(noCatalog.err())
                .isEqualTo(tmp.resolve("nope")
                        + ":1:1: the catalog folder does not exist (give one with --catalog DIR)\n");
        assertThat(runs()).isEqualTo(1);
    }

    @Test
    void aReadOnlyDatabaseIsOneClearLineAndKeepsItsRuns() {
        String readOnly = "jdbc:h2:file:" + Path.of(db).toAbsolutePath() + ";ACCESS_MODE_DATA=r";
        CliTest.Result r = CliTest.run("plan", "--catalog", MINIMAL.toString(), "--db", readOnly);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .startsWith("vramplan: " + readOnly + ": ")
                .contains("read only")
                .doesNotContain("\tat ");
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(runs()).isEqualTo(1);
    }

    @Test
    void aDatabaseLockedByAnotherProcessIsOneClearLine() throws Exception {
        String locked = tmp.resolve("locked").toString();
        try (PlanStore holder = PlanStore.open(locked)) {
            Process child = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            "dev.vramplan.cli.Main",
                            "plan",
                            "--catalog",
                            MINIMAL.toString(),
                            "--db",
                            locked)
                    .redirectErrorStream(true)
                    .start();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor()).as(output).isEqualTo(1);
            assertThat(output)
                    .contains("vramplan: " + locked + ": the database is in use by another process")
                    .doesNotContain("\tat ");
            assertThat(holder.runCount()).isZero();
        }
    }

    /** A full disk: a real tmpfs of 4 MiB filled up (needs root to mount; skipped where mounting is not allowed). */
    @Test
    void aFullDiskIsOneClearLineAndEarlierRunsSurvive() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("tiny"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt.toString())
                .redirectErrorStream(true)
                .start();
        boolean mounted = mount.waitFor() == 0;
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here");
        try {
            String full = mnt.resolve("plans").toString();
            assertThat(CliTest.run("plan", "--catalog", MINIMAL.toString(), "--db", full)
                            .code())
                    .isZero();
            Path filler = mnt.resolve("filler");
            try (var out = Files.newOutputStream(filler)) {
                byte[] block = new byte[64 << 10];
                try {
                    while (true) {
                        out.write(block);
                    }
                } catch (IOException diskFull) {
                    // the disk is full now
                }
            }
            CliTest.Result r = CliTest.run("plan", "--catalog", "catalog", "--db", full);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).startsWith("vramplan: " + full + ": ").doesNotContain("\tat ");
            assertThat(r.err().lines().count()).isEqualTo(1);
            Files.delete(filler);
            try (PlanStore s = PlanStore.open(full)) {
                assertThat(s.runCount()).isEqualTo(1);
            }
        } finally {
            new ProcessBuilder("umount", mnt.toString()).start().waitFor();
        }
    }

    @Test
    void aVeryLargeCatalogLoads() throws IOException {
        Path dir = Shipped.copy(MINIMAL, tmp.resolve("large"));
        StringBuilder b = new StringBuilder(Files.readString(dir.resolve("gpus.yaml")));
        for (int i = 0; i < 20_000; i++) {
            b.append("  - id: card-")
                    .append(i)
                    .append("\n    name: Card ")
                    .append(i)
                    .append("\n    vendor: nvidia\n")
                    .append("    architecture: ampere\n    compute_capability: 8.6\n    memory: 24 GB\n")
                    .append(
                            "    usable_memory: 22 GiB\n    memory_bandwidth: 600 GB/s\n    native_precisions: [fp32, fp16, bf16]\n");
        }
        Files.writeString(dir.resolve("gpus.yaml"), b.toString());
        CliTest.Result r = CliTest.run("catalog", "check", "--catalog", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("20002 gpus");
    }
}
