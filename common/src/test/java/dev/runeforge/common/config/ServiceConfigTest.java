package dev.runeforge.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceConfigTest {
    private static ServiceConfig env(Map<String, String> env) {
        return ServiceConfig.of(Map.of(), env, new Properties());
    }

    @Test
    void theEnvironmentNameIsTheKeyUpperCasedWithDotsAndDashesAsUnderscores() {
        assertEquals("AUTH_OIDC_CLIENT_ID", ServiceConfig.envName("auth.oidc.client-id"));
        assertEquals("AUTH_REFRESH_MAX_LIFETIME", ServiceConfig.envName("auth.refresh.max-lifetime"));
        assertEquals("GAME_LEASE_TTL", ServiceConfig.envName("game.lease.ttl"));
        assertEquals("DB_POOL_SIZE", ServiceConfig.envName("db.pool.size"));
        for (String bad : List.of("namespace", "Auth.issuer", "auth_issuer", "auth..issuer", "auth.-x", "auth.x-", "9a.b")) {
            assertThrows(IllegalArgumentException.class, () -> ServiceConfig.envName(bad), bad);
        }
    }

    @Test
    void aDashedKeyIsSetFromTheEnvironment() {
        ServiceConfig c = env(Map.of("AUTH_OIDC_CLIENT_ID", "rune-forge-web", "AUTH_REFRESH_REUSE_LEEWAY", "PT3S"));
        assertEquals(Optional.of("rune-forge-web"), c.optional("auth.oidc.client-id"));
        assertEquals(Duration.ofSeconds(3), c.duration("auth.refresh.reuse-leeway", Duration.ofSeconds(10)));
        assertEquals("env AUTH_OIDC_CLIENT_ID", c.effective().get("auth.oidc.client-id").from());
    }

    @Test
    void overridesBeatTheEnvironmentWhichBeatsPropertiesWhichBeatTheFileWhichBeatsTheDefault(@TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("rf.yaml"), """
                game:
                  snapshot:
                    every: 4
                  ackwait: PT4S
                  lag:
                    interval: PT4S
                  partitions: 4
                """);
        Properties props = new Properties();
        props.setProperty("game.ackwait", "PT3S");
        props.setProperty("game.lag.interval", "PT3S");
        props.setProperty("game.partitions", "3");
        ServiceConfig c = ServiceConfig.of(Map.of("game.partitions", "1"),
                Map.of("RF_CONFIG", file.toString(), "GAME_LAG_INTERVAL", "PT2S", "GAME_PARTITIONS", "2"), props);
        assertEquals(1, c.integer("game.partitions", 64));
        assertEquals(Duration.ofSeconds(2), c.duration("game.lag.interval", Duration.ofSeconds(10)));
        assertEquals(Duration.ofSeconds(3), c.duration("game.ackwait", Duration.ofSeconds(5)));
        assertEquals(4, c.integer("game.snapshot.every", 100));
        assertEquals(Duration.ofSeconds(2), c.duration("game.lease.ttl", Duration.ofSeconds(2)));
        Map<String, ServiceConfig.Seen> seen = c.effective();
        assertEquals("override", seen.get("game.partitions").from());
        assertEquals("env GAME_LAG_INTERVAL", seen.get("game.lag.interval").from());
        assertEquals("system property", seen.get("game.ackwait").from());
        assertEquals("RF_CONFIG", seen.get("game.snapshot.every").from());
        assertEquals("default", seen.get("game.lease.ttl").from());
        assertEquals("PT2S", seen.get("game.lease.ttl").value());
    }

    @Test
    void anEmptyValueIsTheSameAsAnUnsetOne() {
        ServiceConfig c = ServiceConfig.of(Map.of("auth.issuer", ""), Map.of("AUTH_ISSUER", " ", "AUTH_OIDC_ISSUER", ""),
                new Properties());
        assertEquals("rune-forge", c.string("auth.issuer", "rune-forge"));
        assertEquals(Optional.empty(), c.optional("auth.oidc.issuer"));
    }

    @Test
    void aSecretComesFromItsVariableOrTheFileItsFileVariableNamesAndIsNeverShown(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "from-a-file\n");
        ServiceConfig c = env(Map.of("AUTH_OIDC_CLIENT_SECRET_FILE", secret.toString(), "DB_PASSWORD", "from-env"));
        assertEquals(Optional.of("from-a-file"), c.secret("auth.oidc.client-secret"));
        assertEquals("from-env", c.secret("db.password", ""));
        assertEquals(Optional.empty(), c.secret("auth.keys.secret"));
        Map<String, ServiceConfig.Seen> seen = c.effective();
        assertEquals("***", seen.get("auth.oidc.client-secret").value());
        assertEquals("env AUTH_OIDC_CLIENT_SECRET_FILE", seen.get("auth.oidc.client-secret").from());
        assertEquals("***", seen.get("db.password").value());
        assertEquals(null, seen.get("auth.keys.secret").value());
        assertTrue(seen.values().stream().noneMatch(s -> String.valueOf(s.value()).contains("from-")), seen.toString());
    }

    @Test
    void aMissingRequiredSecretNamesItsKeyAndBothVariables() {
        ServiceConfig c = env(Map.of());
        c.secret("auth.oidc.client-secret");
        c.optional("auth.oidc.client-id");
        assertEquals("auth.oidc.client-secret is required with auth.oidc.issuer "
                        + "(set AUTH_OIDC_CLIENT_SECRET or AUTH_OIDC_CLIENT_SECRET_FILE)",
                c.missing("auth.oidc.client-secret", "with auth.oidc.issuer").getMessage());
        assertEquals("auth.oidc.client-id is required with auth.oidc.issuer (set AUTH_OIDC_CLIENT_ID)",
                c.missing("auth.oidc.client-id", "with auth.oidc.issuer").getMessage());
    }

    @Test
    void aSecretSetTwiceOrInAFileThatCannotBeReadStopsTheStart(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "x");
        IllegalStateException both = assertThrows(IllegalStateException.class, () -> env(Map.of(
                "AUTH_KEYS_SECRET", "a", "AUTH_KEYS_SECRET_FILE", secret.toString())).secret("auth.keys.secret"));
        assertTrue(both.getMessage().contains("AUTH_KEYS_SECRET and AUTH_KEYS_SECRET_FILE"), both.getMessage());
        IllegalStateException unreadable = assertThrows(IllegalStateException.class, () -> env(Map.of(
                "AUTH_KEYS_SECRET_FILE", dir.resolve("absent").toString())).secret("auth.keys.secret"));
        assertTrue(unreadable.getMessage().startsWith("AUTH_KEYS_SECRET_FILE names a file that cannot be read"),
                unreadable.getMessage());
    }

    @Test
    void keysWhoseEnvironmentNamesCollideAreRefused() {
        ServiceConfig c = env(Map.of());
        c.integer("game.rolls.limit", 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.integer("game.rolls-limit", 1));
        assertTrue(e.getMessage().contains("GAME_ROLLS_LIMIT"), e.getMessage());
        // A secret also answers to <NAME>_FILE, which no other key may claim.
        c.secret("x.token");
        assertThrows(IllegalStateException.class, () -> c.optional("x.token.file"));
        // Reading one key twice is fine.
        assertEquals(1, c.integer("game.rolls.limit", 1));
    }

    @Test
    void aValueThatDoesNotParseNamesItsKeyAndWhereItCameFromButNeverASecret() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> env(Map.of("GAME_LEASE_TTL", "2s")).duration("game.lease.ttl", Duration.ofSeconds(2)));
        assertEquals("game.lease.ttl (env GAME_LEASE_TTL) is not an ISO-8601 duration such as PT2S, PT15M or P30D: \"2s\"",
                e.getMessage());
        assertThrows(IllegalStateException.class, () -> env(Map.of("DEV_MODE", "yes")).flag("dev.mode", false));
        assertThrows(IllegalStateException.class, () -> env(Map.of("GAME_PARTITIONS", "6.5")).integer("game.partitions", 64));
        assertFalse(assertThrows(IllegalStateException.class,
                () -> ServiceConfig.of(Map.of("db.pool.size", "x"), Map.of(), new Properties()).integer("db.pool.size", 5))
                .getMessage().isEmpty());
    }

    @Test
    void valuesAreShownAsTheyAreWritten() {
        ServiceConfig c = env(Map.of("GATEWAY_ORIGINS", "https://a.example, https://b.example"));
        assertEquals(List.of("https://a.example", "https://b.example"), c.list("gateway.origins"));
        c.duration("auth.refresh.ttl", Duration.ofDays(14));
        c.duration("game.lease.ttl", Duration.ofMillis(800));
        c.decimal("gateway.rate.refill", 10);
        c.decimal("gateway.rooms.per.minute", 2.5);
        c.list("gateway.none");
        Map<String, ServiceConfig.Seen> seen = c.effective();
        assertEquals("https://a.example,https://b.example", seen.get("gateway.origins").value());
        assertEquals("P14D", seen.get("auth.refresh.ttl").value());
        assertEquals("PT0.8S", seen.get("game.lease.ttl").value());
        assertEquals("10", seen.get("gateway.rate.refill").value());
        assertEquals("2.5", seen.get("gateway.rooms.per.minute").value());
        assertEquals("", seen.get("gateway.none").value());
    }

    @Test
    void aYamlListInTheFileIsAList(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("rf.yaml"), """
                gateway:
                  origins: [https://a.example, https://b.example]
                auth:
                  oidc:
                    client-id: from-the-file
                """);
        ServiceConfig c = env(Map.of("RF_CONFIG", file.toString()));
        assertEquals(List.of("https://a.example", "https://b.example"), c.list("gateway.origins"));
        assertEquals(Optional.of("from-the-file"), c.optional("auth.oidc.client-id"));
        assertEquals(List.of(), c.likelyTypos());
    }

    @Test
    void nearMissesInTheEnvironmentAndTheFileAreReportedAsLikelyTypos(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("rf.yaml"), """
                auth:
                  oidc:
                    redirect-url: https://play.example.org/api/auth/callback
                """);
        Map<String, String> variables = new HashMap<>(Map.of("RF_CONFIG", file.toString(),
                "AUTH_OIDC_CLIENTID", "x", "LIVEKIT_API_KEY", "not this service's", "HOME", "/root",
                "AUTH_KEYS_SECRET_FILE", "/run/secrets/keys"));
        ServiceConfig c = env(variables);
        c.optional("auth.oidc.client-id");
        c.optional("auth.oidc.redirect-uri");
        c.optional("livekit.url");
        assertEquals(List.of(
                "environment variable AUTH_OIDC_CLIENTID is not a setting of this service; did you mean AUTH_OIDC_CLIENT_ID?",
                file + ": auth.oidc.redirect-url is not a setting of this service; did you mean auth.oidc.redirect-uri?"),
                c.likelyTypos());
    }

    @Test
    void overridesWinOverTheProcessEnvironmentAndSystemProperties() {
        System.setProperty("rf.test-key", "from-sysprop");
        try {
            assertEquals("from-sysprop", ServiceConfig.load().string("rf.test-key", "default"));
            assertEquals("override", ServiceConfig.load(Map.of("rf.test-key", "override")).string("rf.test-key", "default"));
        } finally {
            System.clearProperty("rf.test-key");
        }
        assertEquals("default", ServiceConfig.load().string("no.such-key", "default"));
    }

    @Test
    void distanceCountsEdits() {
        assertEquals(0, ServiceConfig.distance("AB", "AB"));
        assertEquals(1, ServiceConfig.distance("AUTH_OIDC_CLIENTID", "AUTH_OIDC_CLIENT_ID"));
        assertEquals(2, ServiceConfig.distance("GAME_LEASE_TL", "GAME_LEASE_TTL_"));
        assertEquals(3, ServiceConfig.distance("A", "ABCDE"));
    }
}
