package dev.vramplan.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vramplan} command line. */
@Command(name = "vramplan", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Plans the largest batch size, resolution and precision each workload can run at on each card of a fleet.",
        subcommands = {PlanCommand.class, QueryCommand.class, ExplainCommand.class, AdviseCommand.class, EstimateCommand.class, ValidateCommand.class, CalibrateCommand.class, ImportCommand.class, RunsCommand.class, DiffCommand.class, ExportCommand.class, ReportCommand.class, ServeCommand.class, BenchCommand.class,
                CatalogCommand.class, RulesCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 the database could not be used or an unexpected failure, 2 invalid input, 3 nothing feasible"
                        + " found, no plan stored, or no database at --db.",
                "Example: vramplan plan && vramplan query --model yolov8s --gpu t4 --mode train"})
public final class Main implements Runnable {
    public static final String VERSION = "0.1.0";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a command: plan, query, explain, advise, estimate, runs, diff, export, report, serve, catalog, rules, validate, calibrate, import, bench");
    }

    public static void main(String[] args) {
        // standard output is buffered and flushed when the command ends (a listing of thousands of rows must not
        // flush each line); errors go out as they happen
        System.exit(run(args, new java.io.PrintWriter(new java.io.BufferedWriter(new java.io.OutputStreamWriter(System.out), 1 << 16)),
                new java.io.PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int run(String[] args, java.io.PrintWriter out, java.io.PrintWriter err) {
        boolean stacktrace = java.util.Arrays.asList(args).contains("--stacktrace");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--stacktrace")).toArray(String[]::new);
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

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"vramplan " + VERSION};
        }
    }
}
