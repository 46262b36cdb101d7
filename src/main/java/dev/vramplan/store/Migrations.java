package dev.vramplan.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies the versioned SQL files of {@code db/} (packaged in the jar) that a database has not seen yet,
 * each in its own transaction, and records them in {@code schema_version}. The same files generate
 * jOOQ's code at build time, so code and schema cannot drift.
 */
public final class Migrations {
    /** In order. A test checks this list against the files in db/. */
    public static final List<String> FILES = List.of(
            "V1__plans.sql", "V2__run_provenance.sql", "V3__cell_trail.sql", "V4__cell_band.sql", "V5__cards.sql");

    private Migrations() {}

    /** The newest schema version this vramplan knows. */
    static int latest() {
        String last = FILES.get(FILES.size() - 1);
        return Integer.parseInt(last.substring(1, last.indexOf("__")));
    }

    /** Whether a database lacks migrations this vramplan has (or has no schema at all); reads only. */
    static boolean behind(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return !rs.next() || rs.getInt(1) < latest();
        } catch (SQLException e) {
            if (e.getErrorCode() >= 42102 && e.getErrorCode() <= 42104) { // H2: table not found
                return true;
            }
            throw e;
        }
    }

    /** Applies what the database has not seen; returns how many migrations ran. */
    public static int apply(Connection c) throws SQLException {
        int applied = 0;
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                        + "script VARCHAR(200) NOT NULL, applied_at TIMESTAMP NOT NULL)");
            }
            c.commit();
            int current = 0;
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
                if (rs.next()) {
                    current = rs.getInt(1);
                }
            }
            for (String file : FILES) {
                int version = Integer.parseInt(file.substring(1, file.indexOf("__")));
                if (version <= current) {
                    continue;
                }
                try {
                    for (String sql : statements(read(file))) {
                        try (Statement st = c.createStatement()) {
                            st.execute(sql);
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO schema_version (version, script, applied_at) VALUES (?, ?, CURRENT_TIMESTAMP)")) {
                        ps.setInt(1, version);
                        ps.setString(2, file);
                        ps.executeUpdate();
                    }
                    c.commit();
                    applied++;
                } catch (SQLException e) {
                    c.rollback();
                    throw e;
                }
            }
        } finally {
            c.setAutoCommit(auto);
        }
        return applied;
    }

    static String read(String file) {
        try (InputStream in = Migrations.class.getResourceAsStream("/db/" + file)) {
            if (in == null) {
                throw new IllegalStateException("migration " + file + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Splits a script on semicolons that end a line, dropping -- comments. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : script.split("\n")) {
            String l = line.strip();
            if (l.startsWith("--") || l.isEmpty()) {
                continue;
            }
            cur.append(line).append('\n');
            if (l.endsWith(";")) {
                String sql = cur.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString().strip());
        }
        return out;
    }
}
