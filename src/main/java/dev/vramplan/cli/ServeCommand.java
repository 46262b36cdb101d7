package dev.vramplan.cli;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.serve.ApiServer;
import dev.vramplan.store.LiveStore;
import dev.vramplan.store.PlanStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description =
                "Answers query, explain, estimate, runs and diff over HTTP as JSON (read-only), with the latest run's"
                        + " report at / and an OpenAPI document at /openapi.json. Sees runs a plan stores meanwhile; stops on SIGTERM"
                        + " or Ctrl-C once the requests in flight are answered.",
        footer = {
            "",
            "Example: vramplan serve --port 8080 & curl 'http://127.0.0.1:8080/api/query?model=yolov8s&gpu=t4'"
        })
final class ServeCommand implements Callable<Integer> {
    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "address to listen on (default: ${DEFAULT-VALUE},"
                    + " this machine only; 0.0.0.0 for every interface)")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "port (default: ${DEFAULT-VALUE}; 0 for any free port)")
    int port;

    @Option(
            names = "--workers",
            defaultValue = "16",
            description = "requests answered at once (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "longest wait for a worker, and"
                    + " for a client to send a request or read an answer (default: ${DEFAULT-VALUE})")
    int timeoutS;

    @picocli.CommandLine.Mixin
    CatalogOption catalog;

    @picocli.CommandLine.Mixin
    DatabaseOption database;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (timeoutS < 1 || timeoutS > 3600) {
            throw new InvalidInputException(
                    "--timeout: " + timeoutS + " is out of range: it must be between 1 and 3600");
        }
        ApiServer.Options options;
        try {
            options = new ApiServer.Options(
                    host, port, workers, Duration.ofSeconds(timeoutS), Duration.ofSeconds(timeoutS));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage());
        }
        Catalog c = CatalogLoader.load(catalog.dir()); // for /api/estimate, read once at start
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String where = database.where();
        LiveStore store = LiveStore.open(where);
        ApiServer server;
        try {
            server = ApiServer.start(options, store, () -> c, Main.VERSION, err);
        } catch (BindException e) {
            store.close();
            throw new InvalidInputException("--port: cannot listen on " + host + ":" + port + ": " + e.getMessage()
                    + " (another server there? give another --port)");
        } catch (IOException | RuntimeException e) {
            store.close();
            throw new InvalidInputException("--host: cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.stop();
                            err.println("vramplan serve: stopped");
                            err.flush();
                            stopped.countDown();
                        },
                        "vramplan-serve-stop"));
        out.printf(
                "vramplan serve: listening on http://%s:%d/ (plans in %s, %d workers)%n",
                hostShown(host), server.port(), PlanStore.redact(where), workers);
        out.flush();
        stopped.await();
        return Exits.OK;
    }

    private static String hostShown(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
