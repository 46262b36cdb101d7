package dev.vramplan.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vramplan} command line. */
@Command(
        name = "vramplan",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description =
                "Plans the largest batch size, resolution and precision each workload can run at on each card of a fleet.",
        subcommands = {
            PlanCommand.class,
            QueryCommand.class,
            ExplainCommand.class,
            AdviseCommand.class,
            EstimateCommand.class,
            ValidateCommand.class,
            CalibrateCommand.class,
            ImportCommand.class,
            RunsCommand.class,
            DiffCommand.class,
            ExportCommand.class,
            ReportCommand.class,
            ServeCommand.class,
            BenchCommand.class,
            CatalogCommand.class,
            RulesCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Exit codes: 0 ok, 1 the database could not be used or an unexpected failure, 2 invalid input, 3 nothing feasible"
                    + " found, no plan stored, or no database at --db.",
            "Example: vramplan plan && vramplan query --model yolov8s --gpu t4 --mode train"
        })
public final class Main implements Runnable {
    /** The version in pom.xml, which Maven writes into {@code dev/vramplan/version.properties} when it builds. */
    public static final String VERSION = readVersion();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        List<String> commands = spec.subcommands().keySet().stream()
                .filter(c -> !c.equals("help"))
                .toList();
        throw new CommandLine.ParameterException(spec.commandLine(), "give a command: " + String.join(", ", commands));
    }

    public static void main(String[] args) {
        // standard output is buffered and flushed when the command ends (a listing of thousands of rows must not
        // flush each line); errors go out as they happen
        System.exit(run(
                args,
                new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out), 1 << 16)),
                new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        boolean stacktrace = Arrays.asList(args).contains("--stacktrace");
        String[] rest =
                Arrays.stream(args).filter(a -> !a.equals("--stacktrace")).toArray(String[]::new);
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        Exits handler = new Exits(stacktrace);
        cl.setExecutionExceptionHandler(handler);
        cl.setParameterExceptionHandler(handler);
        int code = cl.execute(rest);
        out.flush();
        err.flush();
        return code;
    }

    private static String readVersion() {
        try (InputStream in = Main.class.getResourceAsStream("/dev/vramplan/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vramplan " + VERSION};
        }
    }
}
