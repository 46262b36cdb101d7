package dev.vramplan.cli;

import dev.vramplan.answer.RunAnswers;
import dev.vramplan.store.PlanStore;
import dev.vramplan.store.StoredRun;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "runs",
        mixinStandardHelpOptions = true,
        description =
                "Lists the stored planning runs: when, by whom, from which catalog and rules, and how they came out.",
        footer = {"", "Example: vramplan runs --format json"})
final class RunsCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    DatabaseOption database;

    @Mixin
    FormatOption output;

    private static final DateTimeFormatter STARTED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT);

    /** A start time in UTC to the second, seconds always shown (LocalDateTime's own text drops ":00"). */
    static String started(OffsetDateTime t) {
        return t.atZoneSameInstant(ZoneOffset.UTC).format(STARTED);
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<StoredRun> runs;
        try (PlanStore store = PlanStore.openForReading(database.where())) {
            runs = store.runs();
        }
        if (output.json()) {
            Json.print(spec.commandLine().getOut(), RunAnswers.runsJson(runs));
            return Exits.OK;
        }
        Table t = new Table("run", "started (UTC)", "by", "catalog", "rules", "version", "feasible", "infeasible");
        for (StoredRun r : runs) {
            t.add(
                    r.id(),
                    started(r.startedAt()),
                    (r.user() == null ? "?" : r.user()) + "@" + (r.host() == null ? "?" : r.host()),
                    r.catalogDir() + " " + shortSha(r.catalogSha()),
                    r.rulesDir() + " " + shortSha(r.rulesSha()),
                    r.toolVersion(),
                    r.feasible(),
                    r.infeasible());
        }
        t.print(spec.commandLine().getOut());
        return Exits.OK;
    }

    static String shortSha(String sha) {
        return sha == null ? "(no fingerprint)" : sha.substring(0, 12);
    }
}
