package dev.vramplan.rules;

import dev.vramplan.input.InputFiles;
import dev.vramplan.input.InvalidInputException;
import dev.vramplan.input.Shown;
import dev.vramplan.input.Suggest;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.runtime.KieContainer;
import org.kie.api.runtime.KieSessionsPool;

/**
 * The team policy: every {@code *.drl} file of a rules folder, read from disk and compiled by Drools at
 * each run, so a policy change needs no rebuild. Compile errors become {@code file:line:column: message}.
 */
public final class RuleBase {
    private final KieBase kieBase;
    private KieSessionsPool pool;
    private final List<Path> files;
    private final String fingerprint;
    private final String shown;
    private final Map<String, String> ruleFiles;
    private final Map<Path, String> sources;

    private RuleBase(
            KieBase kieBase,
            List<Path> files,
            String fingerprint,
            String shown,
            Map<String, String> ruleFiles,
            Map<Path, String> sources) {
        this.kieBase = kieBase;
        this.files = files;
        this.fingerprint = fingerprint;
        this.shown = shown;
        this.ruleFiles = Map.copyOf(ruleFiles);
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    }

    /** The rule files' texts as they were compiled, in file order. */
    public Map<Path, String> sources() {
        return sources;
    }

    /** The names of the policy's rules, sorted. */
    public SortedSet<String> ruleNames() {
        SortedSet<String> names = new TreeSet<>();
        kieBase.getKiePackages().forEach(p -> p.getRules().forEach(r -> names.add(r.getName())));
        return names;
    }

    /** The file a rule is written in, as messages show it; the folder for a rule not known. */
    public String fileOf(String rule) {
        return rule == null ? shown : ruleFiles.getOrDefault(rule, shown);
    }

    /** Sessions that are reset and reused when disposed, for one cell at a time on each planning thread. */
    public synchronized KieSessionsPool sessions() {
        if (pool == null) {
            pool = kieBase.newKieSessionsPool(Runtime.getRuntime().availableProcessors());
        }
        return pool;
    }

    public KieBase kieBase() {
        return kieBase;
    }

    public List<Path> files() {
        return files;
    }

    /** SHA-256 over the rule files' names and contents. */
    public String fingerprint() {
        return fingerprint;
    }

    /** Compiles the folder's rules, or throws {@link InvalidInputException} with one line per error. */
    public static RuleBase load(Path dir) {
        String shown = display(dir);
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(
                    shown + ":1:1: the rules folder does not exist (give one with --rules DIR)");
        }
        List<Path> drl;
        try (Stream<Path> s = Files.list(dir)) {
            drl = s.filter(p -> p.getFileName().toString().endsWith(".drl"))
                    .sorted()
                    .toList(); // one that is not a regular file is reported below, not skipped
        } catch (IOException e) {
            throw new InvalidInputException(shown + ":1:1: cannot be listed: " + e.getMessage());
        }
        if (drl.isEmpty()) {
            throw new InvalidInputException(shown + ":1:1: holds no .drl files: the policy is empty");
        }
        KieServices ks = KieServices.Factory.get();
        KieFileSystem kfs = ks.newKieFileSystem();
        ReleaseId release = ks.newReleaseId("dev.vramplan", "policy", "1." + System.nanoTime());
        kfs.generateAndWritePomXML(release);
        Map<String, Path> byResource = new LinkedHashMap<>();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<String> problems = new ArrayList<>();
        Map<Path, String> texts = new LinkedHashMap<>();
        for (Path p : drl) {
            byte[] bytes;
            try {
                bytes = InputFiles.read(p, "rule file");
            } catch (InputFiles.Unreadable e) {
                problems.add(display(p) + ":1:1: " + e.getMessage());
                continue;
            }
            String text = withCurrentImports(new String(bytes, StandardCharsets.UTF_8));
            texts.put(p, text);
            sha.update(p.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            sha.update(bytes);
            String resource = "src/main/resources/policy/" + p.getFileName();
            byResource.put(resource, p);
            kfs.write(resource, text);
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        String fingerprint = HexFormat.of().formatHex(sha.digest());
        RuleBase known = compiled(shown, fingerprint);
        if (known != null) {
            return known;
        }
        // what a rule may do, checked before Drools compiles (and so loads and links) anything the rules name; a file
        // that does not parse is left to the compiler's message first, and checked after it like every other
        Map<Path, String> parsed = new LinkedHashMap<>();
        texts.forEach((p, text) -> {
            if (Linter.parses(text)) {
                parsed.put(p, text);
            }
        });
        Sandbox.Report allowed = Sandbox.check(parsed);
        if (!allowed.problems().isEmpty()) {
            throw new InvalidInputException(allowed.problems());
        }
        KieBuilder builder = ks.newKieBuilder(kfs).buildAll();
        List<Message> errors = builder.getResults().getMessages(Message.Level.ERROR);
        boolean unknownType =
                errors.stream().anyMatch(m -> String.valueOf(m.getText()).contains("Unable to resolve ObjectType"));
        for (Message m : errors) {
            if (errors.size() > 1 && String.valueOf(m.getText()).startsWith("Parser returned a null Package")) {
                continue; // a consequence of the parse error reported beside it
            }
            if (unknownType && String.valueOf(m.getText()).startsWith("Rule Compilation error")) {
                continue; // a consequence of the unknown fact type reported beside it
            }
            Path p = null;
            if (m.getPath() != null) {
                String name = Path.of(m.getPath()).getFileName().toString();
                p = byResource.get("src/main/resources/policy/" + name);
            }
            problems.add(locate(m, p == null ? shown : display(p), texts.get(p)));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems.stream().distinct().toList());
        }
        if (parsed.size() < texts.size()) {
            allowed = Sandbox.check(texts);
            if (!allowed.problems().isEmpty()) {
                throw new InvalidInputException(allowed.problems());
            }
        }
        List<String> lint = Linter.lint(texts);
        if (!lint.isEmpty()) {
            throw new InvalidInputException(lint);
        }
        if (!allowed.objective()) {
            // without a choice every candidate that survives goes unchosen, and the cell is called infeasible
            throw new InvalidInputException(
                    (shown.endsWith("/") ? shown : shown + "/") + ": the policy has no objective:"
                            + " no rule inserts Choice.of(...) (see rules/choice.drl in the shipped policy)");
        }
        KieContainer container = ks.newKieContainer(release);
        KieBase base = container.getKieBase();
        RuleBase rb = new RuleBase(base, drl, fingerprint, shown, allowed.ruleFiles(), texts);
        remember(shown, fingerprint, rb);
        return rb;
    }

    /** Rule bases compiled in this process, by folder and fingerprint, the most recently used last. */
    private static final Map<String, RuleBase> COMPILED = new LinkedHashMap<>(16, 0.75f, true);
    /** How many compiled rule bases a process keeps: a long-lived one (serve, the tests) sees a few policies. */
    static final int COMPILED_KEPT = 8;

    /**
     * The rule base compiled earlier in this process from the same files with the same contents, or null. Drools takes
     * seconds to compile a policy; a process that loads the same rules again (a server answering many questions, a
     * test suite running many commands) compiles them once. The files are always read and fingerprinted first, so an
     * edited rule is never served from before the edit.
     */
    private static RuleBase compiled(String shown, String fingerprint) {
        synchronized (COMPILED) {
            return COMPILED.get(shown + "\n" + fingerprint);
        }
    }

    private static void remember(String shown, String fingerprint, RuleBase rb) {
        synchronized (COMPILED) {
            COMPILED.put(shown + "\n" + fingerprint, rb);
            while (COMPILED.size() > COMPILED_KEPT) {
                COMPILED.remove(COMPILED.keySet().iterator().next());
            }
        }
    }

    private static final Pattern PARSER = Pattern.compile("\\[ERR \\d+\\] Line (\\d+):(\\d+) (.*)", Pattern.DOTALL);
    private static final Pattern OBJECT_TYPE = Pattern.compile("Unable to resolve ObjectType '([\\w.$]+)'");
    private static final Pattern UNRESOLVED =
            Pattern.compile("unable to resolve method using strict-mode: ([\\w.$]+)\\.(\\w+)\\(\\)");
    private static final Pattern EXPRESSION =
            Pattern.compile("Unable to Analyse Expression (.*?):\\s*\\[", Pattern.DOTALL);

    /** {@code file:line:column: message}, with the column found in the source where Drools gives none. */
    static String locate(Message m, String file, String source) {
        String text = m.getText() == null ? "" : m.getText();
        int line = Math.max(1, m.getLine());
        int col = Math.max(1, m.getColumn());
        Matcher pm = PARSER.matcher(text);
        if (pm.matches()) {
            line = Integer.parseInt(pm.group(1));
            col = Integer.parseInt(pm.group(2)) + 1;
            text = pm.group(3);
        }
        Matcher om = OBJECT_TYPE.matcher(text);
        if (om.find()) {
            String type = om.group(1);
            String known = "Card, Job, Cell, PrecisionOption, LayoutOption, Candidate, Rejection, Setting, Choice";
            return file + ":" + line + ":" + columnOf(source, line, type, col) + ": unknown fact type \"" + type + "\"."
                    + Suggest.didYouMean(type, List.of(known.split(", "))) + " Fact types: " + known;
        }
        Matcher um = UNRESOLVED.matcher(text);
        Matcher em = EXPRESSION.matcher(text);
        String expression = em.find() ? em.group(1).trim() : null;
        if (um.find()) {
            String type = um.group(1);
            String field = um.group(2);
            String simple = type.substring(type.lastIndexOf('.') + 1);
            List<String> fields = new ArrayList<>();
            try {
                for (Method method : Class.forName(type).getMethods()) {
                    String n = method.getName();
                    if (method.getParameterCount() == 0 && method.getDeclaringClass() != Object.class) {
                        if (n.startsWith("get") && n.length() > 3) {
                            fields.add(Character.toLowerCase(n.charAt(3)) + n.substring(4));
                        } else if (n.startsWith("is") && n.length() > 2) {
                            fields.add(Character.toLowerCase(n.charAt(2)) + n.substring(3));
                        }
                    }
                }
            } catch (ClassNotFoundException e) {
                // a type declared in DRL: no suggestion
            }
            text = simple + " has no field \"" + field + "\"." + Suggest.didYouMean(field, fields)
                    + (fields.isEmpty() ? "" : " Fields: " + String.join(", ", new TreeSet<>(fields)));
            col = columnOf(source, line, field, col);
        } else if (expression != null) {
            col = columnOf(source, line, expression, col);
            int cut = text.indexOf('\n');
            String detail = text.contains("[Error: ")
                    ? text.substring(text.indexOf("[Error: ") + 8, text.indexOf(']', text.indexOf("[Error: ")))
                    : "";
            text = "cannot analyse " + expression + (detail.isEmpty() ? "" : ": " + detail);
            if (cut < 0 && detail.isEmpty()) {
                text = clean(m.getText());
            }
        }
        return file + ":" + line + ":" + col + ": " + clean(text);
    }

    /** Where the token stands on the line of the rule file's text (as read, not read again); the fallback if it is not there. */
    private static int columnOf(String source, int line, String token, int fallback) {
        if (source == null) {
            return fallback;
        }
        List<String> lines = source.lines().toList();
        if (line >= 1 && line <= lines.size()) {
            int at = lines.get(line - 1).indexOf(token);
            if (at >= 0) {
                return at + 1;
            }
        }
        return fallback;
    }

    /** Drools' messages span lines and repeat the rule text; keep the sentence. */
    static String clean(String text) {
        String t = text == null
                ? ""
                : text.replace('\n', ' ').replaceAll("\\s+", " ").trim();
        return t.length() > 400 ? t.substring(0, 400) + "…" : t;
    }

    static String display(Path p) {
        return Shown.path(p);
    }

    /** {@code import dev.vramplan.catalog.Sizes;}: where the size helper lived in 0.1; read as its new home. */
    private static final Pattern LEGACY_SIZES =
            Pattern.compile("(?m)^(\\s*import\\s+)dev\\.vramplan\\.catalog\\.Sizes\\b");

    /**
     * The file's text with imports of helpers that moved pointed at their new package (a team's rule file written for
     * an earlier version keeps working; line and column numbers are unchanged, the fingerprint is of the file as written).
     */
    static String withCurrentImports(String text) {
        return LEGACY_SIZES.matcher(text).replaceAll("$1dev.vramplan.input.Sizes");
    }
}
