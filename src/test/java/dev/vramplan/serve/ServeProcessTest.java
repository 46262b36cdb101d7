package dev.vramplan.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vramplan serve} as a user runs it, in a process of its own: it listens on loopback and stops on SIGTERM. */
class ServeProcessTest {
    @TempDir
    Path tmp;

    @Test
    void sigtermAnswersTheRequestsInFlightThenStops() throws Exception {
        String db = tmp.resolve("plans").toString();
        Http.Result plan =
                Http.cli("plan", "--catalog", "src/test/resources/catalogs/minimal", "--rules", "rules", "--db", db);
        assertThat(plan.code()).as(plan.err()).isZero();
        Process p = new ProcessBuilder(Http.javaCommand("serve", "--port", "0", "--db", db)).start();
        // threads of their own: destroy() closes the process's streams, so their readers must be reading by then
        ExecutorService threads = Executors.newCachedThreadPool();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> Http.read(p.getErrorStream()), threads);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return out.readLine();
                                } catch (IOException e) {
                                    return null;
                                }
                            },
                            threads)
                    .get(120, TimeUnit.SECONDS);
            assertThat(line).as(err.getNow("")).startsWith("vramplan serve: listening on http://127.0.0.1:");
            Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/").matcher(line);
            assertThat(m.find()).isTrue();
            int port = Integer.parseInt(m.group(1));
            assertThat(Http.get(port, "/health").status()).isEqualTo(200);

            // requests on their way when the signal comes: each is answered in full, refused as the server stops, or
            // never connected; none is cut off
            List<CompletableFuture<Http.Got>> flying = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                flying.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return Http.get(port, "/");
                            } catch (IOException | InterruptedException e) {
                                return null;
                            }
                        },
                        threads));
            }
            Thread.sleep(50);
            // SIGTERM by kill(1), as a service manager sends it (Process.destroy() would also close our end of its
            // pipes)
            assertThat(new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid()))
                            .start()
                            .waitFor())
                    .isZero();
            long signalled = System.nanoTime();
            assertThat(p.waitFor(30, TimeUnit.SECONDS))
                    .as("stopped within 30 s of SIGTERM")
                    .isTrue();
            System.out.printf("serve stopped %.1f s after SIGTERM%n", (System.nanoTime() - signalled) / 1e9);
            assertThat(err.get(10, TimeUnit.SECONDS)).contains("vramplan serve: stopped");
            for (CompletableFuture<Http.Got> f : flying) {
                Http.Got g = f.get(60, TimeUnit.SECONDS);
                if (g == null) {
                    continue; // never connected, or the connection closed before it was read
                }
                if (g.status() == 200) {
                    assertThat(g.body()).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
                } else {
                    assertThat(g.status()).isEqualTo(503);
                    assertThat(g.body()).contains("\"error\" : \"the server is stopping\"");
                }
            }
        } finally {
            p.destroyForcibly();
            threads.shutdownNow();
        }
    }
}
