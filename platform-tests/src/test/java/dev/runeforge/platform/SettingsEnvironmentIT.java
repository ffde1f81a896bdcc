package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.testsupport.TestNats;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/operations.md's settings table against the services as built, so the two cannot drift: each service's jar runs
 * as a process with every key the table gives it set through the variable the table names, and its admin port's
 * {@code /settings} must show each one as coming from that variable with that value; a key it reads that the table
 * does not list for it fails too. A second start sets only what it must and the secrets through their
 * {@code _FILE} variants, and holds every other key to the table's default.
 */
class SettingsEnvironmentIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static final String KEY_SECRET = Platform.KEY_SECRET;
    private static SettingsTable table;

    @TempDir
    Path dir;

    @BeforeAll
    static void readTable() throws Exception {
        table = SettingsTable.read();
    }

    static Stream<String> services() {
        return SettingsTable.SERVICES.values().stream().sorted();
    }

    @Test
    void everyDocumentedVariableIsTheKeysNameByTheRule() {
        List<String> wrong = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (SettingsTable.Row row : table.rows()) {
            if (!row.env().equals(ServiceConfig.envName(row.key()))) {
                wrong.add(row.key() + " is documented as " + row.env() + ", the rule makes it " + ServiceConfig.envName(row.key()));
            }
            String other = seen.put(row.env(), row.key());
            if (other != null) {
                wrong.add(other + " and " + row.key() + " share " + row.env());
            }
        }
        assertEquals(List.of(), wrong);
    }

    /** A value for {@code row} that differs from its default where it can, valid for the service. */
    private static String valueFor(SettingsTable.Row row, Map<String, String> fixed) {
        if (fixed.containsKey(row.key())) {
            return fixed.get(row.key());
        }
        String d = row.defaultValue().filter(s -> !s.isEmpty())
                .orElseThrow(() -> new AssertionError("SettingsEnvironmentIT has no value to set " + row.key()
                        + " to (its documented default is not one): add it to the fixed values"));
        if (d.startsWith("P")) {
            return ServiceConfig.show(Duration.parse(d).plusSeconds(1));
        }
        if (d.equals("true") || d.equals("false")) {
            return Boolean.toString(!Boolean.parseBoolean(d));
        }
        if (d.matches("\\d+")) {
            return Long.toString(Long.parseLong(d) + 1);
        }
        return d + "-env";
    }

    /** Keys whose value the test must choose: its NATS, namespace and ports, valid secrets and URLs. */
    private static Map<String, String> fixed(String service, String namespace, int adminPort, int httpPort)
            throws java.io.IOException {
        Map<String, String> v = new HashMap<>();
        v.put("bus.namespace", namespace);
        v.put("bus.replicas", "1"); // one NATS server here
        v.put("nats.url", TestNats.url());
        v.put("nats.nkey", Files.readString(TestNats.seedFile(service)).strip()); // its own bus identity
        v.put("nats.tls.ca", TestNats.caFile().toString());
        v.put("admin.host", "127.0.0.1");
        v.put("admin.port", Integer.toString(adminPort));
        v.put("http.host", "127.0.0.1");
        v.put("http.port", Integer.toString(httpPort));
        v.put("log.level", "WARNING");
        v.put("gateway.origins", "https://a.example,https://b.example");
        v.put("http.forwarded.proxies", "10.0.0.0/8,fd00::/8");
        v.put("game.instance", "gi-settings");
        v.put("game.rps.best-of", "5"); // odd: the default plus one would be refused
        v.put("game.rps.choice.seconds", "30"); // 0 or 5..600
        v.put("auth.keys.secret", KEY_SECRET);
        v.put("auth.oidc.issuer", "http://127.0.0.1:9/issuer"); // discovered on the first sign-in, not at start
        v.put("auth.oidc.client-id", "settings-client");
        v.put("auth.oidc.client-secret", "settings-client-secret");
        v.put("auth.oidc.redirect-uri", "http://127.0.0.1:9/api/auth/callback");
        v.put("auth.oidc.scopes", "openid email");
        // A database nobody has: persistence starts (and stays unready) without touching a real one.
        v.put("db.url", "jdbc:postgresql://127.0.0.1:5432/rf_settings_" + namespace);
        v.put("db.password", "settings-password");
        v.put("livekit.url", "ws://127.0.0.1:9");
        v.put("livekit.public.url", "wss://voice.example.org");
        v.put("livekit.api.key", "APIsettings");
        v.put("livekit.api.secret", "settings-secret-settings-secret-settings");
        return v;
    }

    /** What /settings shows for a value set as {@code value}: secrets masked. */
    private static String shown(SettingsTable.Row row, String value) {
        return row.secret() ? "***" : value;
    }

    private static JsonNode settings(ServiceProcess p) throws Exception {
        return p.awaitJson("/settings", START).path("settings");
    }

    @ParameterizedTest
    @MethodSource("services")
    void everyDocumentedKeySetThroughItsVariableReachesTheService(String service) throws Exception {
        Map<String, SettingsTable.Row> mine = table.of(service);
        String namespace = TestNats.newNamespace();
        int adminPort = ServiceProcess.freePort();
        Map<String, String> fixed = fixed(service, namespace, adminPort, ServiceProcess.freePort());
        Map<String, String> env = new HashMap<>();
        Map<String, String> expected = new HashMap<>();
        for (SettingsTable.Row row : mine.values()) {
            String value = valueFor(row, fixed);
            env.put(row.env(), value);
            expected.put(row.key(), shown(row, value));
        }
        JsonNode settings;
        try (ServiceProcess p = ServiceProcess.start(service, "settings-env-" + service, env, adminPort)) {
            settings = settings(p);
        } finally {
            TestNats.deleteNamespace(namespace);
        }
        List<String> problems = new ArrayList<>();
        for (SettingsTable.Row row : mine.values()) {
            JsonNode seen = settings.path(row.key());
            if (seen.isMissingNode()) {
                problems.add(row.key() + ": documented for " + service + ", not read by it");
                continue;
            }
            if (!("env " + row.env()).equals(seen.path("from").asText())) {
                problems.add(row.key() + ": set as " + row.env() + ", seen from " + seen.path("from").asText());
            }
            if (!expected.get(row.key()).equals(seen.path("value").asText())) {
                problems.add(row.key() + ": set to " + expected.get(row.key()) + ", seen as " + seen.path("value"));
            }
            if (row.secret() != seen.path("secret").asBoolean(false)) {
                problems.add(row.key() + ": documented " + (row.secret() ? "" : "not ") + "as a secret, read "
                        + (row.secret() ? "as a plain value" : "as a secret"));
            }
        }
        problems.addAll(undocumented(service, settings, mine));
        assertEquals(List.of(), problems, service + " against docs/operations.md");
    }

    @ParameterizedTest
    @MethodSource("services")
    void secretsComeFromTheirFilesAndEveryOtherKeyHasItsDocumentedDefault(String service) throws Exception {
        Map<String, SettingsTable.Row> mine = table.of(service);
        String namespace = TestNats.newNamespace();
        int adminPort = ServiceProcess.freePort();
        Map<String, String> fixed = fixed(service, namespace, adminPort, ServiceProcess.freePort());
        // Only what a run here needs; secrets from files, as Kubernetes and podman mount them.
        List<String> needed = List.of("bus.namespace", "nats.url", "nats.tls.ca", "admin.host", "admin.port", "http.host",
                "http.port");
        Map<String, String> env = new HashMap<>();
        for (SettingsTable.Row row : mine.values()) {
            if (needed.contains(row.key())) {
                env.put(row.env(), fixed.get(row.key()));
            } else if (row.secret()) {
                Path file = Files.writeString(dir.resolve(row.env()), fixed.get(row.key()) + "\n");
                env.put(row.env() + "_FILE", file.toString());
            }
        }
        JsonNode settings;
        try (ServiceProcess p = ServiceProcess.start(service, "settings-defaults-" + service, env, adminPort)) {
            settings = settings(p);
        } finally {
            TestNats.deleteNamespace(namespace);
        }
        List<String> problems = new ArrayList<>();
        for (SettingsTable.Row row : mine.values()) {
            JsonNode seen = settings.path(row.key());
            String from = seen.path("from").asText();
            if (row.secret()) {
                if (!from.equals("env " + row.env() + "_FILE") || !"***".equals(seen.path("value").asText())) {
                    problems.add(row.key() + ": given in " + row.env() + "_FILE, seen as " + seen);
                }
            } else if (!needed.contains(row.key()) && row.defaultValue().isPresent()) {
                String value = seen.path("value").isNull() ? "" : seen.path("value").asText();
                if (!from.equals("default") || !value.equals(row.defaultValue().get())) {
                    problems.add(row.key() + ": documented default " + row.defaultValue().get() + ", the service has "
                            + seen);
                }
            }
        }
        problems.addAll(undocumented(service, settings, mine));
        assertEquals(List.of(), problems, service + " against docs/operations.md");
    }

    private static List<String> undocumented(String service, JsonNode settings, Map<String, SettingsTable.Row> mine) {
        List<String> problems = new ArrayList<>();
        for (Iterator<String> keys = settings.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!mine.containsKey(key)) {
                problems.add(key + ": read by " + service + ", not documented for it in docs/operations.md");
            }
        }
        assertTrue(settings.size() > 0, service + " showed no settings");
        return problems;
    }
}
