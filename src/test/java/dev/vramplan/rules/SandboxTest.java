package dev.vramplan.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The allow-list itself, on DRL text: what a rule may write, what it may not, and that comments and literals neither
 * hide code from the check nor trip it. Positions are line:column of the file (the two header lines included).
 */
class SandboxTest {
    static final String HEADER = "package vramplan.policy;\nimport dev.vramplan.rules.*;\n";
    static final String WHY = Sandbox.WHY;

    static List<String> check(String drl) {
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(Path.of("x.drl"), HEADER + drl);
        return Sandbox.check(files).problems();
    }

    static String then(String name, String body) {
        return "rule \"" + name + "\"\nwhen\n    $c : Cell()\nthen\n    " + body + "\nend\n"; // the body is on line 7
    }

    record Case(String what, String drl, String expected) {}

    static final List<Case> REFUSED = List.of(
            new Case(
                    "a chain from a class",
                    then("A", "Runtime.getRuntime().exec(\"ls\");"),
                    "x.drl:7:5: rule \"A\": Runtime.getRuntime(...)" + WHY),
            new Case(
                    "a qualified name",
                    then("A", "java.lang.Runtime.getRuntime();"),
                    "x.drl:7:5: rule \"A\": java.lang.Runtime.getRuntime(...)" + WHY),
            new Case(
                    "a thread",
                    then("A", "new Thread(() -> { }).start();"),
                    "x.drl:7:5: rule \"A\": new Thread(...)" + WHY),
            new Case(
                    "an executor",
                    then("A", "java.util.concurrent.Executors.newFixedThreadPool(2);"),
                    "x.drl:7:5: rule \"A\": java.util.concurrent.Executors.newFixedThreadPool(...)" + WHY),
            new Case(
                    "a method handle",
                    then("A", "Object o = java.lang.invoke.MethodHandles.lookup();"),
                    "x.drl:7:16: rule \"A\": java.lang.invoke.MethodHandles.lookup(...)" + WHY),
            new Case(
                    "a class literal",
                    then("A", "insert(Setting.powersOfTwo(kcontext, Cell.class.getName()));"),
                    "x.drl:7:47: rule \"A\": a class literal (.class)" + WHY),
            new Case(
                    "getClass on a value",
                    then("A", "insert(Setting.powersOfTwo(kcontext, \"\" + $c.getId().getClass()));"),
                    "x.drl:7:58: rule \"A\": getClass(...)" + WHY),
            new Case(
                    "a method reference",
                    then("A", "Runnable r = System::gc;"),
                    "x.drl:7:24: rule \"A\": a method reference (::)" + WHY),
            new Case("a do loop", then("A", "do { } while (true);"), "x.drl:7:5: rule \"A\": a do loop" + WHY),
            new Case(
                    "synchronized",
                    then("A", "synchronized ($c) { }"),
                    "x.drl:7:5: rule \"A\": \"synchronized\"" + WHY),
            new Case("try", then("A", "try { } finally { }"), "x.drl:7:5: rule \"A\": \"try\"" + WHY),
            new Case(
                    "new",
                    then("A", "insert(new Cell(\"a\", \"b\", \"c\"));"),
                    "x.drl:7:12: rule \"A\": new Cell(...)" + WHY),
            new Case(
                    "an array",
                    then("A", "long[] a = new long[100000000];"),
                    "x.drl:7:16: rule \"A\": new long[...]" + WHY),
            new Case("modify", then("A", "modify($c) { };"), "x.drl:7:5: rule \"A\": modify(...)" + WHY),
            new Case("update", then("A", "update($c);"), "x.drl:7:5: rule \"A\": update(...)" + WHY),
            new Case("retract", then("A", "retract($c);"), "x.drl:7:5: rule \"A\": retract(...)" + WHY),
            new Case(
                    "halting the engine", then("A", "drools.halt();"), "x.drl:7:5: rule \"A\": drools.halt(...)" + WHY),
            new Case(
                    "the engine through kcontext",
                    then("A", "kcontext.getKieRuntime().halt();"),
                    "x.drl:7:5: rule \"A\": kcontext.getKieRuntime(...)" + WHY),
            new Case(
                    "String.format (a width allocates)",
                    then("A", "String s = String.format(\"%0999999999d\", 1);"),
                    "x.drl:7:16: rule \"A\": String.format(...)" + WHY),
            new Case(
                    "repeat",
                    then("A", "String s = $c.getId().repeat(1000000000);"),
                    "x.drl:7:27: rule \"A\": repeat(...)" + WHY),
            new Case(
                    "MVEL's foreach",
                    "rule \"A\" dialect \"mvel\"\nwhen\n    $c : Cell()\nthen\n    foreach (x : [1, 2]) { }\nend\n",
                    "x.drl:7:5: rule \"A\": foreach(...)" + WHY),
            new Case(
                    "a call hidden after a comment that ends inside the line",
                    then(
                            "A",
                            "/* a comment\n   over lines */ String s = \"a \\\" quote // still text\"; System.exit(1);"),
                    "x.drl:8:57: rule \"A\": System.exit(...)" + WHY),
            new Case(
                    "a text block (MVEL would end it elsewhere)",
                    then("A", "String t = \"\"\"\n        text\n        \"\"\";"),
                    "x.drl:7:16: rule \"A\": a text block (\"\"\")" + WHY),
            new Case(
                    "a property chain to a class",
                    "rule \"A\" dialect \"mvel\"\nwhen\n    $c : Cell()\nthen\n    x = $c.getClass.classLoader;\nend\n",
                    "x.drl:7:9: rule \"A\": $c.getClass" + WHY),
            new Case(
                    "MVEL's null-safe access",
                    "rule \"A\" dialect \"mvel\"\nwhen\n    $c : Cell()\nthen\n    x = $c.?getClass();\nend\n",
                    "x.drl:7:9: rule \"A\": $c.getClass(...)" + WHY),
            new Case(
                    "a call after a character literal",
                    then("A", "char q = '\"'; System.exit(0); String s = \"'\";"),
                    "x.drl:7:19: rule \"A\": System.exit(...)" + WHY),
            new Case(
                    "a Unicode escape (Java ends the comment at \\u000a)",
                    then("A", "// \\u000a System.exit(0);"),
                    "x.drl:7:8: \\u000a (a Unicode escape) is not allowed in a rule file: Java reads it as code even in comments"
                            + " and strings. Write the character itself"),
            new Case(
                    "an invisible character inside a name",
                    then("A", "Sys\u200Btem.exit(0);"),
                    "x.drl:7:5: rule \"A\": System.exit(...)" + WHY),
            new Case(
                    "a timer",
                    "rule \"A\" timer (int: 1s 1s)\nwhen\n    $c : Cell()\nthen\nend\n",
                    "x.drl:3:10: rule \"A\": the attribute timer" + WHY),
            new Case(
                    "a salience computed by a call",
                    "rule \"A\" salience (System.nanoTime() > 0 ? 1 : 0)\nwhen\n    $c : Cell()\nthen\nend\n",
                    "x.drl:3:20: rule \"A\": System.nanoTime(...)" + WHY),
            new Case(
                    "an accumulate with code",
                    "rule \"A\"\nwhen\n    $n : Number() from accumulate( Candidate( $b : batch ),"
                            + " init( int t = 0; ), action( t += $b; ), result( t ) )\nthen\nend\n",
                    "x.drl:5:61: rule \"A\": init(...)" + WHY),
            new Case(
                    "a from with a call",
                    "rule \"A\"\nwhen\n    $l : String() from java.nio.file.Files.readAllLines(null)\nthen\nend\n",
                    "x.drl:5:24: rule \"A\": java.nio.file.Files.readAllLines(...)" + WHY),
            new Case(
                    "a call inside a constraint",
                    "rule \"A\"\nwhen\n    $c : Cell( java.lang.System.getenv(\"HOME\") != null )\nthen\nend\n",
                    "x.drl:5:16: rule \"A\": java.lang.System.getenv(...)" + WHY),
            new Case(
                    "a function",
                    "function String f(String s) { return s; }\n",
                    "x.drl:3:1: function String f is not allowed in a rule file (a rule file holds package, import and rule;"
                            + " a rule may insert decisions and call the documented helpers)"),
            new Case(
                    "a global",
                    "global java.util.List out;\n",
                    "x.drl:3:1: global java.util.List out is not allowed in a rule file (a rule file holds package, import and"
                            + " rule; a rule may insert decisions and call the documented helpers)"),
            new Case(
                    "a declared type",
                    "declare Gadget\n    size : int\nend\n",
                    "x.drl:3:1: declare Gadget size is not allowed in a rule file (a rule file holds package, import and rule;"
                            + " a rule may insert decisions and call the documented helpers)"),
            new Case(
                    "a static import",
                    "import static java.lang.System.exit;\n",
                    "x.drl:3:1: import static java.lang.System.exit is not allowed in a rule file (rules may import the fact"
                            + " types and helpers: dev.vramplan.rules.* and dev.vramplan.input.Sizes)"),
            new Case(
                    "an imported function",
                    "import function java.lang.System.exit;\n",
                    "x.drl:3:1: import function java.lang.System.exit is not allowed in a rule file (rules may import the fact"
                            + " types and helpers: dev.vramplan.rules.* and dev.vramplan.input.Sizes)"),
            new Case(
                    "a package-level attribute computed by a call",
                    "salience (System.nanoTime() > 0 ? 1 : 0)\n",
                    "x.drl:3:11: System.nanoTime(...)" + WHY));

    @TestFactory
    Stream<DynamicTest> refused() {
        return REFUSED.stream()
                .map(c -> DynamicTest.dynamicTest(
                        c.what(), () -> assertThat(check(c.drl())).containsExactly(c.expected())));
    }

    @Test
    void whatAPolicyNeedsIsAllowed() {
        String drl =
                """
                rule "Everything a policy uses" extends "Other" no-loop true salience 10 agenda-group "g"
                when
                    $c : Candidate( cell.length() > 2, precision.startsWith("amp"), this != null, batch > Math.max(1, 2) )
                    $n : Number( intValue > 0 ) from accumulate( Candidate( $b : batch ), sum( $b ) )
                    exists( Rejection( candidateId == $c.id ) )
                    not( Choice() )
                    $g : Card( runs("fp8"), !runs("bf16") )
                    $p : String() from $g.getNativePrecisions()
                    eval( $c.getBatch() % 2 == 0 && $g.getNativePrecisions().contains("fp16") )
                then
                    // System.exit(0) in a comment, and "System.exit(0)" in a string, are no calls
                    long b = (long) ($c.getBatch() * 0.5);
                    if (b > 2 && "fp16".equals($c.getPrecision())) {
                        insert(Rejection.of(kcontext, $c, "System.exit(0) " + String.valueOf(b) + Sizes.human(b)));
                    } else {
                        insert(Setting.minBatch(kcontext, $c.getCell(), Math.abs((int) b), $c.getPrecision().toUpperCase()));
                    }
                    insertLogical(Choice.of(kcontext, $c, "x"));
                    insertLogical(Accumulation.keep(kcontext, $c, 64));
                end
                """;
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(Path.of("x.drl"), HEADER + drl);
        Sandbox.Report r = Sandbox.check(files);
        assertThat(r.problems()).isEmpty();
        assertThat(r.objective()).isTrue();
        assertThat(r.ruleFiles()).containsEntry("Everything a policy uses", "x.drl");
    }

    @Test
    void aThenEndsWhereDroolsEndsIt() {
        // a local named end does not end the then (Drools reads on to the end before the next rule or the file's end)
        assertThat(check("rule \"A\"\nwhen\n    $c : Cell()\nthen\n    int end = 1;\n"
                        + "    insert(Setting.minBatch(kcontext, $c.getId(), end, \"x\"));\nend\n"))
                .isEmpty();
        assertThat(check("rule \"A\"\nwhen\n    $c : Cell()\nthen\n    int end = 1;\n    System.exit(end);\nend\n"
                        + "rule \"B\" when then end\n"))
                .containsExactly("x.drl:8:5: rule \"A\": System.exit(...)" + WHY);
    }

    @Test
    void theShippedRulesAreAllowedAndHaveAnObjective() throws IOException {
        Map<Path, String> files = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(Shipped.RULES)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".drl")).sorted().toList()) {
                files.put(p, Files.readString(p));
            }
        }
        Sandbox.Report r = Sandbox.check(files);
        assertThat(r.problems()).isEmpty();
        assertThat(r.objective()).isTrue();
        assertThat(r.ruleFiles())
                .containsEntry("Keep 10% of memory free", "rules/memory.drl")
                .hasSize(Shipped.ruleCount());
    }

    @Test
    void choiceOfInAConditionIsNoObjective() {
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(
                Path.of("x.drl"),
                HEADER + "rule \"A\"\nwhen\n    $c : Candidate( this != Choice.of(null, null, \"\") )\nthen\nend\n");
        assertThat(Sandbox.check(files).objective()).isFalse();
    }
}
