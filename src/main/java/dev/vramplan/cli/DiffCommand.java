package dev.vramplan.cli;

import dev.vramplan.input.InvalidInputException;
import dev.vramplan.store.RunDiff;
import dev.vramplan.store.PlanStore;
import dev.vramplan.store.StoredRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "diff", mixinStandardHelpOptions = true,
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
            StoredRun ra = store.run(a).orElseThrow(() -> new InvalidInputException("RUN_A: there is no run " + a + " in the database"));
            StoredRun rb = store.run(b).orElseThrow(() -> new InvalidInputException("RUN_B: there is no run " + b + " in the database"));
            changes = RunDiff.diff(ra, store.cells(a, null, null, null, true), rb, store.cells(b, null, null, null, true));
        }
        if (output.json()) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (RunDiff.Change c : changes) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("gpu", c.gpu());
                m.put("workload", c.workload());
                m.put("mode", c.mode());
                m.put("before", c.before());
                m.put("after", c.after());
                m.put("causes", c.causes());
                list.add(m);
            }
            Json.print(spec.commandLine().getOut(), list);
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
