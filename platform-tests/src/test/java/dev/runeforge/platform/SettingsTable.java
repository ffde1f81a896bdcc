package dev.runeforge.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings table of docs/operations.md ("Configuration"), as operators read it: one row per key with its
 * environment variable (and {@code _FILE} twin for a secret), the services that read it and its default.
 */
record SettingsTable(List<Row> rows) {
    static final Path DOCS = Path.of("..", "docs", "operations.md").toAbsolutePath().normalize();
    /** The services column's names. */
    static final Map<String, String> SERVICES = Map.of(
            "gateway", "gateway-service",
            "auth", "auth-service",
            "game", "game-instance-service",
            "persistence", "persistence-service",
            "media-token", "media-token-service");
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    /**
     * One documented key. {@code defaultValue} is the default when the column states one literally (a single
     * {@code `value`}, or {@code none}: empty), else empty (a description such as "the service's").
     */
    record Row(String key, String env, boolean secret, Set<String> services, Optional<String> defaultValue) {
    }

    static SettingsTable read() throws IOException {
        List<String> lines = Files.readAllLines(DOCS);
        int start = lines.indexOf("## Configuration");
        if (start < 0) {
            throw new AssertionError(DOCS + " has no '## Configuration' section");
        }
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = Arrays.stream(line.substring(1, line.length() - 1).split("\\|")).map(String::strip)
                    .toArray(String[]::new);
            if (cells.length != 5) {
                throw new AssertionError("a settings row has 5 columns (key, environment, services, default, what): " + line);
            }
            String key = only(cells[0], line);
            List<String> names = codes(cells[1]);
            String env = names.getFirst();
            boolean secret = names.size() == 2 && names.get(1).equals(env + "_FILE");
            if (names.size() != 1 && !secret) {
                throw new AssertionError("the environment column is `NAME`, or `NAME` or `NAME_FILE` for a secret: " + line);
            }
            Set<String> services = new LinkedHashSet<>();
            for (String s : cells[2].split(",\\s*")) {
                if (s.equals("all")) {
                    services.addAll(SERVICES.values());
                } else if (SERVICES.containsKey(s)) {
                    services.add(SERVICES.get(s));
                } else {
                    throw new AssertionError("unknown service '" + s + "' (all, " + SERVICES.keySet() + "): " + line);
                }
            }
            Optional<String> fallback = Optional.empty();
            List<String> defaults = codes(cells[3]);
            if (cells[3].equals("none")) {
                fallback = Optional.of("");
            } else if (defaults.size() == 1 && cells[3].equals("`" + defaults.getFirst() + "`")
                    && !defaults.getFirst().contains("<")) {
                fallback = Optional.of(defaults.getFirst());
            }
            rows.add(new Row(key, env, secret, services, fallback));
        }
        if (rows.isEmpty()) {
            throw new AssertionError("no settings rows under '## Configuration' in " + DOCS);
        }
        return new SettingsTable(List.copyOf(rows));
    }

    /** The rows of the keys {@code service} reads, by key. */
    Map<String, Row> of(String service) {
        Map<String, Row> mine = new LinkedHashMap<>();
        rows.stream().filter(r -> r.services().contains(service)).forEach(r -> mine.put(r.key(), r));
        return mine;
    }

    Row row(String key) {
        return rows.stream().filter(r -> r.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("docs/operations.md has no row for " + key));
    }

    private static String only(String cell, String line) {
        List<String> codes = codes(cell);
        if (codes.size() != 1) {
            throw new AssertionError("the key column holds one `key`: " + line);
        }
        return codes.getFirst();
    }

    private static List<String> codes(String cell) {
        List<String> codes = new ArrayList<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) {
            codes.add(m.group(1));
        }
        return codes;
    }
}
