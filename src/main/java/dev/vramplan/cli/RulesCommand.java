package dev.vramplan.cli;

import dev.vramplan.rules.RuleBase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "rules", mixinStandardHelpOptions = true, description = "Works with the team policy.",
        subcommands = RulesCommand.Check.class)
final class RulesCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give a subcommand: check");
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Compiles the rules and reports every error as file:line:column.",
            footer = {"", "Example: vramplan rules check --rules rules/"})
    static final class Check implements Callable<Integer> {
        @Option(names = "--rules", paramLabel = "DIR", description = "rules folder (default: rules/)")
        Path rules;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Path dir = Paths.rules(rules);
            RuleBase rb = RuleBase.load(dir);
            long count = rb.kieBase().getKiePackages().stream().mapToLong(p -> p.getRules().size()).sum();
            spec.commandLine().getOut().printf("%s: ok (%d rules in %d files)%n", Paths.shown(dir), count, rb.files().size());
            return Exits.OK;
        }
    }
}
