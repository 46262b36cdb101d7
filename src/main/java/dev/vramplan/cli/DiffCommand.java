package dev.vramplan.cli;

import dev.vramplan.answer.RunAnswers;
import dev.vramplan.store.PlanStore;
import dev.vramplan.store.RunDiff;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
        name = "diff",
        mixinStandardHelpOptions = true,
        description = "Lists every card x workload whose recommendation changed between two runs, and what caused it.",
        footer = {"", "Example: vramplan diff 3 4"})
final class DiffCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_A")
    long a;

    @Parameters(index = "1", paramLabel = "RUN_B")
    long b;

    @picocli.CommandLine.Mixin
    DatabaseOption database;

    @Mixin
    FormatOption output;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<RunDiff.Change> changes;
        try (PlanStore store = PlanStore.openForReading(database.where())) {
            changes = RunAnswers.diff(store, a, b, "RUN_A", "RUN_B");
        }
        if (output.json()) {
            Json.print(spec.commandLine().getOut(), RunAnswers.diffJson(changes));
        } else {
            Table t = new Table("gpu", "workload", "run " + a, "run " + b, "because");
            for (RunDiff.Change c : changes) {
                t.add(c.gpu(), c.workload(), c.before(), c.after(), String.join("; ", c.causes()));
            }
            t.print(spec.commandLine().getOut());
            spec.commandLine().getOut().printf("%d of the cells changed%n", changes.size());
        }
        return Exits.OK;
    }
}
