package dev.vramplan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class SpooledTableTest {
    /** Rows that wait on disk print as a table in memory prints them: same widths, same cells, nulls as "-". */
    @Test
    void printsWhatATableInMemoryPrints() {
        Table memory = new Table("gpu", "workload", "rule");
        StringWriter spooledOut = new StringWriter();
        try (SpooledTable spooled = new SpooledTable("gpu", "workload", "rule")) {
            Object[][] rows = {
                {"t4", "yolov8s-train", "Keep 10% of memory free"},
                {"h100-sxm-80gb", null, "ünïcödé ✓"},
                {"a", "b", "x".repeat(70_000)},
                {"", "", ""}
            };
            for (Object[] r : rows) {
                memory.add(r);
                spooled.add(r);
            }
            spooled.print(new PrintWriter(spooledOut, true));
        }
        StringWriter memoryOut = new StringWriter();
        memory.print(new PrintWriter(memoryOut, true));
        assertThat(spooledOut.toString())
                .isEqualTo(memoryOut.toString())
                .contains("h100-sxm-80gb  -")
                .contains("ünïcödé ✓");
        assertThat(spooledOut.toString().lines()).hasSize(6);
    }
}
