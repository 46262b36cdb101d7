package dev.vramplan.cli;

import dev.vramplan.answer.NotFound;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.store.MissingDatabaseException;
import dev.vramplan.store.StoreException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The one place that turns failures into exit codes and messages: 2 for input the user can fix (one
 * line per problem), 3 for a query that found nothing feasible, 1 for anything unexpected. A stack
 * trace only with {@code --stacktrace}.
 */
final class Exits implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int INVALID = 2;
    static final int NOTHING_FEASIBLE = 3;

    private final boolean stacktrace;

    Exits(boolean stacktrace) {
        this.stacktrace = stacktrace;
    }

    /** A query that found no feasible plan: exit 3 with this message. */
    static final class NothingFeasible extends RuntimeException {
        NothingFeasible(String message) {
            super(message);
        }
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
        cl.getOut().flush(); // what the command printed comes before why it stopped
        PrintWriter err = cl.getErr();
        if (e instanceof InvalidInputException in) {
            in.lines().forEach(err::println);
            trace(e, err);
            return INVALID;
        }
        if (e instanceof NothingFeasible || e instanceof NotFound) {
            err.println(e.getMessage());
            return NOTHING_FEASIBLE;
        }
        if (e instanceof MissingDatabaseException) {
            err.println("vramplan: " + e.getMessage());
            return NOTHING_FEASIBLE;
        }
        if (e instanceof StoreException) {
            err.println("vramplan: " + e.getMessage());
            trace(e, err);
            return FAILURE;
        }
        err.println("vramplan: unexpected failure: " + e
                + (stacktrace ? "" : " (run again with --stacktrace for details)"));
        trace(e, err);
        return FAILURE;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String name = cl.getCommandName().equals("vramplan") ? "vramplan" : "vramplan " + cl.getCommandName();
        err.println(name + ": " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try 'vramplan " + (cl.getCommandName().equals("vramplan") ? "" : cl.getCommandName() + " ")
                + "--help'.");
        return INVALID;
    }

    private void trace(Exception e, PrintWriter err) {
        if (stacktrace) {
            e.printStackTrace(err);
        }
    }
}
