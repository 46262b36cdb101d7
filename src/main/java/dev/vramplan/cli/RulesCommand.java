package dev.vramplan.cli;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.catalog.Workload;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.plan.PolicyTests;
import dev.vramplan.rules.Linter;
import dev.vramplan.rules.RuleBase;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "rules",
        mixinStandardHelpOptions = true,
        description = "Works with the team policy.",
        subcommands = {RulesCommand.Check.class, RulesCommand.Test.class, RulesCommand.Facts.class})
final class RulesCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give a subcommand: check or test");
    }

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                "Compiles the rules and reports every error as file:line:column (exit code 2).",
                "Warns, on standard error and with exit code 0, where a rule compares a text field with a value no entry of"
                        + " the catalog (or workload of the policy tests) has: such a rule can never fire on this catalog."
            },
            footer = {"", "Example: vramplan rules check --rules rules/ --catalog catalog/"})
    static final class Check implements Callable<Integer> {
        @Mixin
        RulesOption rules;

        @Option(
                names = "--catalog",
                paramLabel = "DIR",
                description =
                        "catalog the values are checked against (default: catalog/, skipped when that folder does not exist)")
        Path catalog;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Path dir = rules.dir();
            RuleBase rb = RuleBase.load(dir);
            Path catalogDir = Paths.catalog(catalog);
            List<String> warnings = List.of();
            if (catalog != null || Files.isDirectory(catalogDir)) {
                Catalog c = CatalogLoader.load(catalogDir);
                List<Workload> tested = new ArrayList<>();
                try {
                    PolicyTests.load(dir.resolve("tests"), c).forEach(t -> tested.add(t.workload()));
                } catch (InvalidInputException e) {
                    // a broken test file is `rules test`'s to report; its workloads count for nothing here
                }
                warnings = Linter.catalogWarnings(rb.sources(), Linter.domains(c, tested));
            }
            PrintWriter err = spec.commandLine().getErr();
            warnings.forEach(err::println);
            err.flush();
            long count = rb.kieBase().getKiePackages().stream()
                    .mapToLong(p -> p.getRules().size())
                    .sum();
            spec.commandLine()
                    .getOut()
                    .printf(
                            "%s: ok (%d rules in %d files%s)%n",
                            Paths.shown(dir),
                            count,
                            rb.files().size(),
                            warnings.isEmpty()
                                    ? ""
                                    : ", " + warnings.size() + (warnings.size() == 1 ? " warning" : " warnings"));
            return Exits.OK;
        }
    }

    @Command(
            name = "test",
            mixinStandardHelpOptions = true,
            description =
                    "Runs the policy tests in RULES/tests/*.yaml against the rules and prints pass or fail for each.",
            footer = {"", "Example: vramplan rules test --rules rules/", "Exit code 1 when a test fails."})
    static final class Test implements Callable<Integer> {
        @Mixin
        RulesOption rules;

        @Mixin
        CatalogOption catalog;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Path dir = rules.dir();
            Catalog c = CatalogLoader.load(catalog.dir());
            RuleBase rb = RuleBase.load(dir);
            List<PolicyTests.Case> cases = PolicyTests.load(dir.resolve("tests"), c);
            PrintWriter out = spec.commandLine().getOut();
            int failed = 0;
            for (PolicyTests.Outcome o : PolicyTests.run(cases, rb, c)) {
                out.printf(
                        "%s  %s: %s%n",
                        o.passed() ? "PASS" : "FAIL", o.test().file(), o.test().name());
                for (String f : o.failures()) {
                    out.println("        " + f);
                }
                if (!o.passed()) {
                    failed++;
                }
            }
            out.printf("%d passed, %d failed%n", cases.size() - failed, failed);
            return failed == 0 ? Exits.OK : Exits.FAILURE;
        }
    }

    @Command(
            name = "facts",
            mixinStandardHelpOptions = true,
            description = "Prints the fact types and fields a rule may use (a Markdown table).")
    static final class Facts implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(Linter.factTable());
            return Exits.OK;
        }
    }
}
