package dev.vramplan.rules;

import dev.vramplan.catalog.InvalidInputException;
import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.runtime.KieContainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The team policy: every {@code *.drl} file of a rules folder, read from disk and compiled by Drools at
 * each run, so a policy change needs no rebuild. Compile errors become {@code file:line:column: message}.
 */
public final class RuleBase {
    private final KieBase kieBase;
    private final List<Path> files;
    private final String fingerprint;

    private RuleBase(KieBase kieBase, List<Path> files, String fingerprint) {
        this.kieBase = kieBase;
        this.files = files;
        this.fingerprint = fingerprint;
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
            throw new InvalidInputException(shown + ":1:1: the rules folder does not exist (give one with --rules DIR)");
        }
        List<Path> drl;
        try (Stream<Path> s = Files.list(dir)) {
            drl = s.filter(p -> p.getFileName().toString().endsWith(".drl") && Files.isRegularFile(p)).sorted().toList();
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
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<String> problems = new ArrayList<>();
        for (Path p : drl) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(p);
            } catch (IOException e) {
                problems.add(display(p) + ":1:1: cannot be read: " + e.getMessage());
                continue;
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            sha.update(p.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            sha.update(bytes);
            String resource = "src/main/resources/policy/" + p.getFileName();
            byResource.put(resource, p);
            kfs.write(resource, text);
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        KieBuilder builder = ks.newKieBuilder(kfs).buildAll();
        for (Message m : builder.getResults().getMessages(Message.Level.ERROR)) {
            Path p = m.getPath() == null ? null : byResource.get(m.getPath());
            String where = (p == null ? shown : display(p)) + ":" + Math.max(1, m.getLine()) + ":" + Math.max(1, m.getColumn());
            problems.add(where + ": " + clean(m.getText()));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems.stream().distinct().toList());
        }
        KieContainer container = ks.newKieContainer(release);
        KieBase base = container.getKieBase();
        return new RuleBase(base, drl, HexFormat.of().formatHex(sha.digest()));
    }

    /** Drools' messages span lines and repeat the rule text; keep the sentence. */
    static String clean(String text) {
        String t = text == null ? "" : text.replace('\n', ' ').replaceAll("\\s+", " ").trim();
        return t.length() > 400 ? t.substring(0, 400) + "…" : t;
    }

    static String display(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : p.toString();
    }
}
