package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vramplan.Shipped;
import dev.vramplan.input.InputFilesTest;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that reads a file the user points it at (catalog, rules, measurements, policy tests, both importers)
 * refuses a FIFO, a folder, /dev/zero and a 3 GiB file with one line and exit code 2, without blocking on the FIFO
 * or reading the rest. Before, a FIFO hung the command and the others ended in an OutOfMemoryError.
 */
class UnreadableInputTest {
    static final Path MINIMAL = BadInputTest.MINIMAL;

    @TempDir
    static Path tmp;

    /** One reader: where its file goes in a fresh folder, and the command that reads it there. */
    record Reader(String name, String files, Function<Path, Path> place, Function<Path, String[]> command) {}

    /** A non-regular or oversized file made at a path; its kind as the message names it. */
    record Special(String name, String message, Maker make) {}

    interface Maker {
        void make(Path at) throws Exception;
    }

    static List<Reader> readers() {
        return List.of(
                new Reader(
                        "catalog",
                        "catalog files",
                        dir -> Shipped.copy(MINIMAL, dir).resolve("gpus.yaml"),
                        dir -> new String[] {"catalog", "check", "--catalog", dir.toString()}),
                new Reader(
                        "rules",
                        "rule files",
                        dir -> Shipped.copy(Shipped.RULES, dir).resolve("zz.drl"),
                        dir -> new String[] {"rules", "check", "--rules", dir.toString()}),
                new Reader("measurements", "measurement files", dir -> dir.resolve("m.yaml"), dir -> new String[] {
                    "validate", "--measurements", dir.resolve("m.yaml").toString(), "--catalog", MINIMAL.toString()
                }),
                new Reader(
                        "policy tests",
                        "policy test files",
                        dir -> Shipped.copy(Shipped.RULES, dir).resolve("tests").resolve("t.yaml"),
                        dir -> new String[] {"rules", "test", "--rules", dir.toString(), "--catalog", MINIMAL.toString()
                        }),
                new Reader("hf import", "config.json files", dir -> dir.resolve("config.json"), dir -> new String[] {
                    "import",
                    "hf",
                    dir.resolve("config.json").toString(),
                    "--id",
                    "x",
                    "--catalog",
                    Shipped.copy(MINIMAL, dir.resolve("catalog")).toString()
                }),
                new Reader(
                        "ultralytics import", "model YAML files", dir -> dir.resolve("yolo.yaml"), dir -> new String[] {
                            "import",
                            "ultralytics",
                            dir.resolve("yolo.yaml").toString(),
                            "--scale",
                            "n",
                            "--id",
                            "x",
                            "--catalog",
                            Shipped.copy(MINIMAL, dir.resolve("catalog")).toString()
                        }));
    }

    static List<Special> specials() {
        return List.of(
                new Special(
                        "a FIFO",
                        "not a regular file (a FIFO): vramplan reads %s only from regular files",
                        UnreadableInputTest::fifo),
                new Special(
                        "a folder",
                        "not a regular file (a directory): vramplan reads %s only from regular files",
                        Files::createDirectory),
                new Special(
                        "/dev/zero",
                        "not a regular file (a character device): vramplan reads %s only from regular files",
                        at -> {
                            assumeTrue(Files.exists(Path.of("/dev/zero")), "no /dev/zero here");
                            Files.createSymbolicLink(at, Path.of("/dev/zero"));
                        }),
                new Special("3 GiB", "the file is 3.0 GiB; vramplan reads files of at most 16 MiB", at -> {
                    try (RandomAccessFile f = new RandomAccessFile(at.toFile(), "rw")) {
                        f.setLength(3L << 30); // a hole: no disk used
                    }
                }));
    }

    static void fifo(Path at) throws Exception {
        InputFilesTest.fifo(at);
    }

    @TestFactory
    Stream<DynamicTest> everyReaderRefusesWhatIsNotAFileItCanRead() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Reader r : readers()) {
            for (Special s : specials()) {
                tests.add(DynamicTest.dynamicTest(r.name() + ": " + s.name(), () -> {
                    Path dir = Files.createTempDirectory(tmp, "in");
                    Path file = r.place().apply(dir);
                    Files.createDirectories(file.getParent());
                    Files.deleteIfExists(file);
                    s.make().make(file);
                    String line = file + ":1:1: " + s.message().formatted(r.files());
                    CliTest.Result res = assertTimeoutPreemptively(
                            Duration.ofSeconds(60),
                            () -> CliTest.run(r.command().apply(dir)));
                    assertThat(res.code()).as(res.err()).isEqualTo(2);
                    List<String> expected =
                            r.name().equals("catalog") ? List.of(line, "1 problem in " + dir) : List.of(line);
                    assertThat(res.err().lines().toList()).isEqualTo(expected);
                    assertThat(res.err())
                            .doesNotContain("\tat ")
                            .doesNotContain("Exception")
                            .doesNotContain("unexpected failure");
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> planStopsAtTheCatalogFileWithTheSameLine() {
        return specials().stream()
                .map(s -> DynamicTest.dynamicTest(s.name(), () -> {
                    Path dir = Shipped.copy(MINIMAL, Files.createTempDirectory(tmp, "plan"));
                    Files.delete(dir.resolve("fleet.yaml"));
                    s.make().make(dir.resolve("fleet.yaml"));
                    CliTest.Result res = assertTimeoutPreemptively(
                            Duration.ofSeconds(60),
                            () -> CliTest.run(
                                    "plan",
                                    "--catalog",
                                    dir.toString(),
                                    "--db",
                                    tmp.resolve("db").toString()));
                    assertThat(res.code()).isEqualTo(2);
                    assertThat(res.err())
                            .isEqualTo(dir.resolve("fleet.yaml") + ":1:1: "
                                    + s.message().formatted("catalog files") + "\n");
                }));
    }
}
