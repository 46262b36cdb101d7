package dev.vramplan.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleBaseTest {
    /** A team's rule file written when the size helper was dev.vramplan.catalog.Sizes still compiles, and means the same. */
    @Test
    void aRuleFileImportingSizesByItsOldNameStillCompiles(@TempDir Path dir) throws Exception {
        Path rules = Shipped.copy(Shipped.RULES, dir.resolve("rules"));
        Path memory = rules.resolve("memory.drl");
        String current = Files.readString(memory);
        assertThat(current).contains("import dev.vramplan.input.Sizes;");
        Files.writeString(
                memory, current.replace("import dev.vramplan.input.Sizes;", "import dev.vramplan.catalog.Sizes;"));

        RuleBase legacy = RuleBase.load(rules);

        assertThat(legacy.ruleNames()).isEqualTo(Shipped.rules().ruleNames());
        assertThat(RuleBase.withCurrentImports("package p;\n  import dev.vramplan.catalog.Sizes;\nrule \"A\"\n"))
                .isEqualTo("package p;\n  import dev.vramplan.input.Sizes;\nrule \"A\"\n");
        assertThat(RuleBase.withCurrentImports("import dev.vramplan.catalog.SizesX;"))
                .isEqualTo("import dev.vramplan.catalog.SizesX;");
    }

    /** The same files compile once per process; an edit, however small, is compiled afresh. */
    @Test
    void theSameRulesCompileOnceAndAnEditIsSeenAtOnce(@TempDir Path dir) throws Exception {
        Path rules = Shipped.copy(Shipped.RULES, dir.resolve("rules"));
        RuleBase first = RuleBase.load(rules);
        assertThat(RuleBase.load(rules)).isSameAs(first);

        Path memory = rules.resolve("memory.drl");
        Files.writeString(
                memory,
                Files.readString(memory)
                        .replace("rule \"Keep 10% of memory free\"", "rule \"Keep 15% of memory free\""));
        RuleBase edited = RuleBase.load(rules);
        assertThat(edited).isNotSameAs(first);
        assertThat(edited.fingerprint()).isNotEqualTo(first.fingerprint());
        assertThat(edited.ruleNames()).contains("Keep 15% of memory free").doesNotContain("Keep 10% of memory free");
    }
}
