package dev.vramplan.serve;

import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.cli.Main;
import dev.vramplan.store.LiveStore;
import dev.vramplan.store.PlanStore;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The figures of {@code /api/query} (a benchmark that prints, not a test that times): requests per second and
 * p50/p99 latency at 1, 16 and 64 requests in flight, over a store of 1,000,000 plan rows (made once with
 * {@code vramplan bench --cards 500 --workloads 1000} when the database is missing), the server and its clients in
 * this one JVM on loopback. Run as docs/speed.md says:
 *
 * <pre>mvn -B -q -DskipTests package test-compile
 * java -Xmx2g -cp target/vramplan.jar:target/test-classes dev.vramplan.serve.ServeBench --db /tmp/vramplan-1m</pre>
 */
public final class ServeBench {
    private ServeBench() {}

    public static void main(String[] args) throws Exception {
        String db = arg(
                args,
                "--db",
                Path.of(System.getProperty("java.io.tmpdir"), "vramplan-1m").toString());
        int requests = Integer.parseInt(arg(args, "--requests", "4000"));
        int workers = Integer.parseInt(arg(args, "--workers", "16"));
        PrintWriter out = new PrintWriter(System.out, true);
        if (!Files.exists(Path.of(db + ".mv.db")) && !db.startsWith("jdbc:")) {
            out.println(
                    "making the store: 500 card types x 1000 workloads x 2 modes = 1,000,000 plan rows (a few minutes)");
            int code = Main.run(
                    new String[] {
                        "bench", "--cards", "500", "--workloads", "1000", "--db", db, "--queries", "0", "--quiet"
                    },
                    out,
                    new PrintWriter(System.err, true));
            if (code != 0) {
                throw new IllegalStateException("vramplan bench exited " + code);
            }
        }
        List<String> models;
        List<String> gpus;
        long rows;
        try (PlanStore s = PlanStore.openForReading(db)) {
            long run = s.latestRun().orElseThrow();
            models = new ArrayList<>(s.ids(run, PlanStore.IdColumn.MODEL));
            gpus = new ArrayList<>(s.ids(run, PlanStore.IdColumn.GPU));
            rows = s.runs().stream().mapToLong(r -> r.cells()).sum();
        }
        ApiServer server = ApiServer.start(
                new ApiServer.Options("127.0.0.1", 0, workers, Duration.ofSeconds(30), Duration.ofSeconds(10)),
                LiveStore.open(db),
                () -> CatalogLoader.load(Path.of("catalog")),
                Main.VERSION,
                new PrintWriter(System.err, true));
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        out.printf(
                Locale.ROOT,
                "store: %,d plan rows in %s; %d model ids x %d card ids; server: %d workers; %d cores%n",
                rows,
                db,
                models.size(),
                gpus.size(),
                workers,
                Runtime.getRuntime().availableProcessors());
        try {
            round(
                    client,
                    server.port(),
                    models,
                    gpus,
                    16,
                    2000,
                    new Random(1)); // warm-up: the JIT, the readers, the connections
            out.println("in flight  requests  errors  requests/s  p50 ms  p99 ms  max ms");
            for (int inFlight : new int[] {1, 16, 64}) {
                Round r = round(client, server.port(), models, gpus, inFlight, requests, new Random(inFlight));
                out.printf(
                        Locale.ROOT,
                        "%9d  %8d  %6d  %10.0f  %6.2f  %6.2f  %6.1f%n",
                        inFlight,
                        requests,
                        r.errors(),
                        requests / r.seconds(),
                        pct(r.ms(), 0.50),
                        pct(r.ms(), 0.99),
                        r.ms()[r.ms().length - 1]);
            }
        } finally {
            server.stop();
        }
    }

    record Round(double seconds, double[] ms, int errors) {}

    /** {@code n} requests for random (model, card, mode) lookups, {@code inFlight} at a time. */
    static Round round(
            HttpClient client, int port, List<String> models, List<String> gpus, int inFlight, int n, Random random)
            throws Exception {
        List<URI> uris = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            uris.add(URI.create(
                    "http://127.0.0.1:" + port + "/api/query?model=" + enc(models.get(random.nextInt(models.size())))
                            + "&gpu=" + enc(gpus.get(random.nextInt(gpus.size()))) + "&mode="
                            + (random.nextBoolean() ? "train" : "inference")));
        }
        double[] ms = new double[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(inFlight);
        long start = System.nanoTime();
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < inFlight; c++) {
            clients.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    long t = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = client.send(
                                HttpRequest.newBuilder(uris.get(i)).GET().build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    ms[i] = (System.nanoTime() - t) / 1e6;
                }
                return null;
            }));
        }
        for (Future<?> f : clients) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        Arrays.sort(ms);
        return new Round(seconds, ms, errors.get());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }

    private static String arg(String[] args, String name, String otherwise) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return otherwise;
    }
}
