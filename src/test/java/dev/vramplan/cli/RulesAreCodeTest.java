package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules are code that teams share: a rule that does more than insert decisions and call the documented helpers is
 * refused when the rules load, with one line naming the file, the place and the rule, and exit code 2, by every
 * command that compiles rules. One test per family of refused constructs, each a real DRL file beside the shipped
 * policy.
 */
class RulesAreCodeTest {
    static final String WHY =
            " is not allowed in a rule (a rule may insert decisions and call the documented helpers)\n";
    static final String MINIMAL = "src/test/resources/catalogs/minimal";

    @TempDir
    Path tmp;

    /** The shipped rules and their tests, plus x.drl holding the given rules. */
    Path rules(String drl) throws IOException {
        Path dir = Shipped.copy(Shipped.RULES, tmp.resolve("rules"));
        Shipped.copy(Shipped.RULES.resolve("tests"), dir.resolve("tests"));
        Files.writeString(dir.resolve("x.drl"), "package vramplan.policy;\nimport dev.vramplan.rules.*;\n\n" + drl);
        return dir;
    }

    static CliTest.Result check(Path dir) {
        return CliTest.run("rules", "check", "--rules", dir.toString());
    }

    CliTest.Result plan(Path dir) {
        return CliTest.run(
                "plan",
                "--catalog",
                MINIMAL,
                "--rules",
                dir.toString(),
                "--db",
                tmp.resolve("db").toString());
    }

    static void refused(CliTest.Result r, String line) {
        assertThat(r.err()).isEqualTo(line);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void runningACommandIsRefusedByEveryCommandThatLoadsRules() throws IOException {
        Path marker = tmp.resolve("ran");
        Path dir = rules(
                """
                rule "Run a command"
                when
                    $c : Cell()
                then
                    Runtime.getRuntime().exec(new String[] {"touch", "%s"});
                end
                """
                        .formatted(marker));
        String line = dir.resolve("x.drl") + ":8:5: rule \"Run a command\": Runtime.getRuntime(...)" + WHY;
        refused(check(dir), line);
        refused(plan(dir), line);
        refused(CliTest.run("rules", "test", "--rules", dir.toString()), line);
        refused(CliTest.run("bench", "--cards", "1", "--workloads", "1", "--rules", dir.toString()), line);
        assertThat(marker).doesNotExist();
        assertThat(CliTest.run(
                                "query",
                                "--model",
                                "yolov8n",
                                "--db",
                                tmp.resolve("db").toString())
                        .code())
                .isEqualTo(3);
    }

    @Test
    void exitingTheProcessIsRefused() throws IOException {
        Path dir = rules(
                """
                rule "Leave early"
                when
                    Cell()
                then
                    System.exit(0);
                end
                """);
        refused(check(dir), dir.resolve("x.drl") + ":8:5: rule \"Leave early\": System.exit(...)" + WHY);
    }

    @Test
    void loopsAreRefused() throws IOException {
        Path dir = rules(
                """
                rule "Spin"
                when
                    Cell()
                then
                    while (true) { }
                end
                """);
        refused(check(dir), dir.resolve("x.drl") + ":8:5: rule \"Spin\": a while loop" + WHY);
        Files.writeString(
                dir.resolve("x.drl"),
                """
                package vramplan.policy;
                import dev.vramplan.rules.*;
                rule "Insert ten million settings"
                when
                    $c : Cell()
                then
                    for (int i = 0; i < 10000000; i++) { insert(Setting.powersOfTwo(kcontext, $c.getId())); }
                end
                """);
        refused(check(dir), dir.resolve("x.drl") + ":7:5: rule \"Insert ten million settings\": a for loop" + WHY);
    }

    @Test
    void reflectionIsRefused() throws IOException {
        Path dir = rules(
                """
                rule "Look inside"
                when
                    $c : Cell()
                then
                    insert(Setting.powersOfTwo(kcontext, $c.getClass().getName()));
                end
                """);
        refused(check(dir), dir.resolve("x.drl") + ":8:42: rule \"Look inside\": $c.getClass(...)" + WHY);
        refused(plan(dir), dir.resolve("x.drl") + ":8:42: rule \"Look inside\": $c.getClass(...)" + WHY);
        Files.writeString(
                dir.resolve("x.drl"),
                """
                package vramplan.policy;
                import dev.vramplan.rules.*;
                rule "Load a class"
                when
                    $c : Cell()
                then
                    insert(Setting.powersOfTwo(kcontext, "" + Class.forName("java.lang.Runtime")));
                end
                """);
        refused(check(dir), dir.resolve("x.drl") + ":7:47: rule \"Load a class\": Class.forName(...)" + WHY);
    }

    @Test
    void readingAFileIsRefused() throws IOException {
        Path dir = rules(
                """
                rule "Keep a secret in the reasons"
                when
                    $c : Candidate()
                then
                    // the reason would be stored with the plan, for anyone to query
                    insert(Rejection.of(kcontext, $c, java.nio.file.Files.readString(java.nio.file.Path.of("/etc/passwd"))));
                end
                """);
        String line = dir.resolve("x.drl")
                + ":9:39: rule \"Keep a secret in the reasons\": java.nio.file.Files.readString(...)" + WHY;
        refused(check(dir), line);
        refused(plan(dir), line);
        Files.writeString(
                dir.resolve("x.drl"),
                """
                package vramplan.policy;
                import dev.vramplan.rules.*;
                rule "Open a file"
                when
                    $c : Cell()
                then
                    insert(Setting.powersOfTwo(kcontext, "" + new java.io.FileReader("/etc/passwd").read()));
                end
                """);
        refused(check(dir), dir.resolve("x.drl") + ":7:47: rule \"Open a file\": new java.io.FileReader(...)" + WHY);
    }

    @Test
    void theNetworkIsRefused() throws IOException {
        Path dir = rules(
                """
                rule "Phone home"
                when
                    $c : Cell()
                then
                    new java.net.Socket("example.com", 80).getOutputStream().write(1);
                end
                """);
        refused(check(dir), dir.resolve("x.drl") + ":8:5: rule \"Phone home\": new java.net.Socket(...)" + WHY);
        refused(plan(dir), dir.resolve("x.drl") + ":8:5: rule \"Phone home\": new java.net.Socket(...)" + WHY);
    }

    @Test
    void importsOtherThanTheFactsAndHelpersAreRefused() throws IOException {
        Path dir = rules(
                """
                import java.net.URL;

                rule "Uses an import"
                when
                    $c : Cell()
                then
                    insert(Setting.powersOfTwo(kcontext, $c.getId()));
                end
                """);
        String line = dir.resolve("x.drl")
                + ":4:1: import java.net.URL is not allowed in a rule file (rules may import the fact"
                + " types and helpers: dev.vramplan.rules.* and dev.vramplan.input.Sizes)\n";
        refused(check(dir), line);
        refused(plan(dir), line);
    }

    @Test
    void functionsAndChangingFactsAreRefused() throws IOException {
        Path dir = rules(
                """
                function String helper(String s) { return s; }

                rule "Calls a function"
                when
                    $c : Cell()
                then
                    insert(Setting.powersOfTwo(kcontext, helper($c.getId())));
                end
                """);
        refused(
                check(dir),
                dir.resolve("x.drl") + ":4:1: function String helper is not allowed in a rule file (a rule file"
                        + " holds package, import and rule; a rule may insert decisions and call the documented helpers)\n"
                        + dir.resolve("x.drl") + ":10:42: rule \"Calls a function\": helper(...)" + WHY);
        Files.writeString(
                dir.resolve("x.drl"),
                """
                package vramplan.policy;
                import dev.vramplan.rules.*;
                rule "Forget the job"
                when
                    $j : Job()
                then
                    delete($j);
                end
                """);
        refused(check(dir), dir.resolve("x.drl") + ":7:5: rule \"Forget the job\": delete(...)" + WHY);
    }

    @Test
    void callsInConditionsAreCheckedToo() throws IOException {
        Path dir = rules(
                """
                rule "Ask the environment"
                when
                    $c : Cell()
                    eval( System.getenv("HOME") != null )
                then
                    insert(Setting.powersOfTwo(kcontext, $c.getId()));
                end
                """);
        refused(check(dir), dir.resolve("x.drl") + ":7:11: rule \"Ask the environment\": System.getenv(...)" + WHY);
        Files.writeString(
                dir.resolve("x.drl"),
                """
                package vramplan.policy;
                import dev.vramplan.rules.*;
                rule "Read lines"
                when
                    $c : Cell()
                    $line : String() from java.nio.file.Files.readAllLines(java.nio.file.Path.of("/etc/passwd"))
                then
                    insert(Setting.powersOfTwo(kcontext, $line));
                end
                """);
        refused(
                check(dir),
                dir.resolve("x.drl") + ":6:27: rule \"Read lines\": java.nio.file.Files.readAllLines(...)" + WHY);
    }

    @Test
    void commentsAndTextMayNameAnything() throws IOException {
        Path dir = rules(
                """
                // System.exit(0) in a comment is no call, /* nor this */
                rule "Quotes the forbidden"
                when
                    $c : Cell( id != "Runtime.getRuntime().exec(x)" )
                then
                    /* while (true) { } */
                    insert(Setting.minBatch(kcontext, $c.getId(), 1, "no System.exit(0) here // nor a comment"
                            + Sizes.human(Math.max(1L, 2L)) + String.valueOf($c.getId().length())));
                end
                """);
        CliTest.Result r = check(dir);
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(dir + ": ok (" + (Shipped.ruleCount() + 1) + " rules in " + (Shipped.ruleFileCount() + 1)
                        + " files)\n");
    }

    @Test
    void aPolicyWithoutAnObjectiveIsAnInputErrorForEveryCommand() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("only-a-comment"));
        Files.writeString(dir.resolve("policy.drl"), "// the policy goes here\n");
        String line = dir
                + "/: the policy has no objective: no rule inserts Choice.of(...) (see rules/choice.drl in the shipped policy)\n";
        refused(check(dir), line);
        refused(plan(dir), line);
        refused(CliTest.run("rules", "test", "--rules", dir.toString()), line);
        refused(CliTest.run("bench", "--cards", "1", "--workloads", "1", "--rules", dir.toString()), line);
        // the shipped policy without its choice rules: every cell used to come out infeasible, blamed on memory
        Path noChoice = Shipped.copy(Shipped.RULES, tmp.resolve("no-choice"));
        Files.delete(noChoice.resolve("choice.drl"));
        refused(
                plan(noChoice),
                noChoice + "/: the policy has no objective: no rule inserts Choice.of(...) (see rules/choice.drl"
                        + " in the shipped policy)\n");
    }
}
