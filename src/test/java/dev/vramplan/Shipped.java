package dev.vramplan;

import dev.vramplan.catalog.Catalog;
import dev.vramplan.catalog.CatalogLoader;
import dev.vramplan.rules.RuleBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The shipped catalog and rules (tests run in the project folder), loaded once. */
public final class Shipped {
    public static final Path CATALOG = Path.of("catalog");
    public static final Path RULES = Path.of("rules");
    /**
     * A copy of the shipped rules as {@link dev.vramplan.rules.JavaPolicy} implements them, frozen: the twin is compared
     * with these, so a team that edits rules/ never breaks the suite.
     */
    public static final Path FROZEN_RULES = Path.of("src/test/resources/frozen-rules");

    private static RuleBase frozenRules;
    private static Catalog catalog;
    private static RuleBase rules;

    private Shipped() {}

    public static synchronized Catalog catalog() {
        if (catalog == null) {
            catalog = CatalogLoader.load(CATALOG);
        }
        return catalog;
    }

    public static synchronized RuleBase rules() {
        if (rules == null) {
            rules = RuleBase.load(RULES);
        }
        return rules;
    }

    /** The frozen copy of the shipped rules that the plain-Java twin implements, loaded once. */
    public static synchronized RuleBase frozenRules() {
        if (frozenRules == null) {
            frozenRules = RuleBase.load(FROZEN_RULES);
        }
        return frozenRules;
    }

    /** A copy of a shipped folder, to edit in a test. */
    /** How many rule files the shipped policy has. */
    public static int ruleFileCount() {
        try (Stream<Path> files = Files.list(RULES)) {
            return (int) files.filter(f -> f.toString().endsWith(".drl")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many rules the shipped policy has (counted in the files, so adding a rule does not break a test). */
    public static int ruleCount() {
        try (Stream<Path> files = Files.list(RULES)) {
            return (int) files.filter(f -> f.toString().endsWith(".drl"))
                    .flatMap(f -> {
                        try {
                            return Files.readAllLines(f).stream();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .filter(l -> l.startsWith("rule \""))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path copy(Path from, Path to) {
        try {
            Files.createDirectories(to);
            try (Stream<Path> s = Files.list(from)) {
                for (Path p : s.toList()) {
                    if (Files.isRegularFile(p)) {
                        Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces text in a file, failing when the text is not there (so an edit cannot silently do nothing). */
    public static void edit(Path file, String from, String to) {
        try {
            String s = Files.readString(file);
            if (!s.contains(from)) {
                throw new AssertionError(file + " does not contain: " + from);
            }
            Files.writeString(file, s.replaceFirst(Pattern.quote(from), Matcher.quoteReplacement(to)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends text to a file. */
    public static void append(Path file, String text) {
        try {
            Files.writeString(file, text, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
