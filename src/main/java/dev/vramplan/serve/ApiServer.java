package dev.vramplan.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vramplan.answer.FieldError;
import dev.vramplan.answer.NotFound;
import dev.vramplan.catalog.Catalog;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.input.Suggest;
import dev.vramplan.store.LiveStore;
import dev.vramplan.store.MissingDatabaseException;
import dev.vramplan.store.StoreException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The read-only HTTP API over the store, the catalog and the estimator, on the JDK's own HTTP server
 * ({@code com.sun.net.httpserver}: no dependency, and a blocking handler per request is all a JSON lookup needs).
 *
 * <ul>
 *   <li>A fixed pool of workers answers; requests beyond them wait in line, and one that waited longer than the
 *       timeout is answered 503 at once instead of late. The JDK server's own limits (set by {@link #limits}) close
 *       a connection that sends its request or reads its answer slower than the timeout.</li>
 *   <li>{@link #stop} stops accepting, lets the requests in flight finish (up to a grace period), then closes the
 *       store.</li>
 *   <li>Every failure is a JSON body {@code {error, field, suggestion}}: 400 bad parameter, 404 unknown id or path,
 *       405 not GET, 503 store unavailable or too busy, 500 a failure of vramplan itself (one line on standard
 *       error, never a stack trace in the answer).</li>
 * </ul>
 */
public final class ApiServer {
    /** Where and how to serve. */
    public record Options(String host, int port, int workers, Duration timeout, Duration grace) {
        public Options {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(
                        "--port: " + port + " is not a port: use 1 to 65535 (0 for any free port)");
            }
            if (workers < 1 || workers > 1024) {
                throw new IllegalArgumentException(
                        "--workers: " + workers + " is out of range: it must be between 1 and 1024");
            }
            if (timeout.isNegative() || timeout.isZero() || grace.isNegative()) {
                throw new IllegalArgumentException("timeouts are more than zero");
            }
        }
    }

    private final HttpServer http;
    private final ThreadPoolExecutor workers;
    private final LiveStore store;
    private final Map<String, Endpoints.Route> routes;
    private final Options options;
    private final PrintWriter log;

    private ApiServer(
            HttpServer http,
            ThreadPoolExecutor workers,
            LiveStore store,
            Map<String, Endpoints.Route> routes,
            Options options,
            PrintWriter log) {
        this.http = http;
        this.workers = workers;
        this.store = store;
        this.routes = routes;
        this.options = options;
        this.log = log;
    }

    /**
     * The JDK server's limits on reading a request and writing an answer, in seconds. They are read once, when the
     * JDK's server classes load, so this runs before the first server is made.
     */
    public static void limits(Duration timeout) {
        String s = String.valueOf(Math.max(1, timeout.toSeconds()));
        System.setProperty("sun.net.httpserver.maxReqTime", s);
        System.setProperty("sun.net.httpserver.maxRspTime", s);
    }

    /** Binds and starts serving; {@code log} gets one line per failure of vramplan itself. */
    public static ApiServer start(
            Options o, LiveStore store, Supplier<Catalog> catalog, String version, PrintWriter log) throws IOException {
        limits(o.timeout());
        HttpServer http = HttpServer.create(new InetSocketAddress(o.host(), o.port()), 128);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                o.workers(), o.workers(), 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "vramplan-serve-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        ApiServer s = new ApiServer(http, pool, store, new Endpoints(store, catalog, version).routes(), o, log);
        // each request remembers when it began waiting for a worker, and whether the server was stopping by then
        http.setExecutor(task -> {
            long queued = System.nanoTime();
            boolean late = s.stopping;
            s.inFlight.incrementAndGet();
            try {
                pool.execute(() -> {
                    QUEUED.set(queued);
                    LATE.set(late);
                    try {
                        task.run();
                    } finally {
                        s.inFlight.decrementAndGet();
                    }
                });
            } catch (RuntimeException e) {
                s.inFlight.decrementAndGet();
                throw e;
            }
        });
        http.createContext("/", s::handle);
        http.start();
        return s;
    }

    /** The port it listens on (the one chosen when asked for port 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /**
     * Stops: requests that arrive from now on are answered 503, those already received are answered in full (for
     * at most the grace period), then the listener and the store close. (The JDK 17 server's own
     * {@code stop(delay)} waits the whole delay even when nothing is in flight, JDK-8304065: hence the count.)
     */
    public void stop() {
        stopping = true;
        long until = System.nanoTime() + options.grace().toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < until) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        http.stop(0);
        workers.shutdown();
        try {
            workers.awaitTermination(options.grace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close(Duration.ofMillis(100)); // a request past the grace period closes its reader when it ends
    }

    /** When the request this worker answers began waiting for it. */
    private static final ThreadLocal<Long> QUEUED = new ThreadLocal<>();
    /** Whether the request this worker answers arrived once the server was stopping. */
    private static final ThreadLocal<Boolean> LATE = new ThreadLocal<>();

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;

    private void handle(HttpExchange ex) throws IOException {
        Long queued = QUEUED.get();
        Reply reply;
        try {
            if (Boolean.TRUE.equals(LATE.get())) {
                reply = Reply.error(503, "the server is stopping", null, null);
            } else if (queued != null
                    && System.nanoTime() - queued > options.timeout().toNanos()) {
                reply = Reply.error(
                        503,
                        "too busy: the request waited longer than "
                                + options.timeout().toSeconds() + " s for a worker; try again",
                        null,
                        null);
            } else {
                reply = answer(ex);
            }
        } catch (RuntimeException | Error e) {
            reply = failure(e);
        }
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", reply.contentType());
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            if (reply.status() == 405) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
            }
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(reply.status(), head ? -1 : reply.body().length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(reply.body());
                }
            }
        }
    }

    private Reply answer(HttpExchange ex) {
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Reply.error(405, "method " + method + " is not allowed: the API is read-only, use GET", null, null);
        }
        String path = ex.getRequestURI().getRawPath();
        Endpoints.Route route = routes.get(path);
        if (route == null) {
            return Reply.error(404, "no such path: " + path, null, Suggest.closest(path, routes.keySet()));
        }
        return route.answer().apply(Params.parse(ex.getRequestURI().getRawQuery(), route.params()));
    }

    /** The JSON body of a failure. */
    private Reply failure(Throwable e) {
        if (e instanceof FieldError f) {
            FieldError.Problem p = f.problems().get(0);
            return Reply.error(p.kind() == FieldError.Kind.UNKNOWN ? 404 : 400, p.error(), p.field(), p.suggestion());
        }
        if (e instanceof InvalidInputException in) {
            return Reply.error(400, String.join("; ", in.lines()), null, null);
        }
        if (e instanceof NotFound || e instanceof MissingDatabaseException) {
            return Reply.error(404, e.getMessage(), null, null);
        }
        if (e instanceof StoreException) {
            return Reply.error(503, e.getMessage(), null, null);
        }
        log.println("vramplan serve: unexpected failure: " + e);
        log.flush();
        return Reply.error(
                500, "unexpected failure in vramplan: " + e.getClass().getSimpleName(), null, null);
    }
}
