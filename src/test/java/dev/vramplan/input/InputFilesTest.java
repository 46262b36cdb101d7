package dev.vramplan.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only regular files, only up to the limit, judged before a byte is read (a FIFO would block, /dev/zero never ends). */
public class InputFilesTest {
    @TempDir
    Path tmp;

    /** A FIFO made with mkfifo; the test is skipped where there is none. */
    public static Path fifo(Path at) throws IOException, InterruptedException {
        boolean made;
        try {
            made = new ProcessBuilder("mkfifo", at.toString())
                            .inheritIO()
                            .start()
                            .waitFor()
                    == 0;
        } catch (IOException noMkfifo) {
            made = false;
        }
        assumeTrue(made, "mkfifo is not available here");
        return at;
    }

    /** A file of that many bytes that takes no disk: a hole. */
    static Path sparse(Path at, long bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(at.toFile(), "rw")) {
            f.setLength(bytes);
        }
        return at;
    }

    static String refusal(Path file) {
        try {
            InputFiles.read(file, "catalog file");
            return "read";
        } catch (InputFiles.Unreadable e) {
            return e.getMessage();
        }
    }

    @Test
    void aFifoIsNotOpened() throws Exception {
        Path f = fifo(tmp.resolve("gpus.yaml"));
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(20), () -> refusal(f)))
                .isEqualTo("not a regular file (a FIFO): vramplan reads catalog files only from regular files");
    }

    @Test
    void aFolderADeviceAndAMissingFileAreNamed() throws IOException {
        assertThat(refusal(Files.createDirectories(tmp.resolve("gpus.yaml"))))
                .isEqualTo("not a regular file (a directory): vramplan reads catalog files only from regular files");
        assumeTrue(Files.exists(Path.of("/dev/zero")));
        Path zero = Files.createSymbolicLink(tmp.resolve("zero.yaml"), Path.of("/dev/zero"));
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(20), () -> refusal(zero)))
                .isEqualTo(
                        "not a regular file (a character device): vramplan reads catalog files only from regular files");
        assertThat(refusal(tmp.resolve("nope.yaml"))).isEqualTo("cannot be read: no such file");
    }

    @Test
    void aFileOverTheLimitIsRefusedBeforeItIsRead() throws IOException {
        assertThat(refusal(sparse(tmp.resolve("huge.yaml"), 3L << 30)))
                .isEqualTo("the file is 3.0 GiB; vramplan reads files of at most 16 MiB");
        assertThat(refusal(sparse(tmp.resolve("over.yaml"), InputFiles.MAX_BYTES + 1)))
                .isEqualTo("the file is 16.1 MiB; vramplan reads files of at most 16 MiB");
    }

    @Test
    void aFileAtTheLimitIsRead() throws Exception {
        assertThat(InputFiles.read(sparse(tmp.resolve("full.yaml"), InputFiles.MAX_BYTES), "catalog file"))
                .hasSize((int) InputFiles.MAX_BYTES);
        Files.writeString(tmp.resolve("small.yaml"), "gpus: []\n");
        assertThat(InputFiles.read(tmp.resolve("small.yaml"), "catalog file")).isEqualTo("gpus: []\n".getBytes());
    }

    @Test
    void sizesReadAsPeopleWriteThem() {
        assertThat(InputFiles.oneDecimal(3L << 30)).isEqualTo("3.0 GiB");
        assertThat(InputFiles.oneDecimal(17L << 20)).isEqualTo("17.0 MiB");
        assertThat(InputFiles.oneDecimal(500)).isEqualTo("500.0 B");
    }

    @Test
    void aFileThatCannotBeReadIsAProblemOfItsFile() throws Exception {
        Problems p = new Problems();
        assertThat(Yaml.read(sparse(tmp.resolve("fleet.yaml"), 3L << 30), "catalog/fleet.yaml", "catalog file", p))
                .isNull();
        assertThat(p.sorted())
                .extracting(Problems.Problem::format)
                .containsExactly("catalog/fleet.yaml:1:1: the file is 3.0 GiB; vramplan reads files of at most 16 MiB");
        assertThatThrownBy(p::throwIfAny).isInstanceOf(InvalidInputException.class);
    }
}
