package dev.runeforge.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import dev.runeforge.common.config.ServiceConfig;
import org.junit.jupiter.api.Test;

/** persistence-service's settings as an operator gives them: the defaults, the environment, refusals, masking. */
class PersistenceSettingsTest {
    private static PersistenceSettings read(Map<String, String> env) {
        return PersistenceSettings.read(ServiceConfig.of(Map.of(), env, new Properties()));
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        PersistenceSettings s = read(Map.of());
        assertEquals(5, s.db().poolSize());
        assertEquals(Duration.ofDays(30), s.permalinks().ttl());
        assertEquals("projections", s.projection().consumer());
        assertEquals(Duration.ofDays(90), s.guests().retention());
        assertEquals(Duration.ofHours(1), s.guests().cleanupInterval());
    }

    @Test
    void theEnvironmentSetsEachAndSecretsAreMasked() {
        PersistenceSettings s = read(Map.of("GUESTS_RETENTION", "PT48H", "DB_PASSWORD", "hunter2",
                "DB_URL", "jdbc:postgresql://db:5432/rf?password=hunter2", "DB_POOL_SIZE", "9"));
        assertEquals(Duration.ofHours(48), s.guests().retention());
        assertEquals(9, s.db().poolSize());
        assertEquals("hunter2", s.db().password());
        assertFalse(s.db().toString().contains("hunter2"), "the URL and password never reach a log or /settings");
        assertTrue(s.db().toString().contains("poolSize=9"));
    }

    @Test
    void aPoolOfNoConnectionIsRefusedNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read(Map.of("DB_POOL_SIZE", "0")));
        assertTrue(e.getMessage().contains("db.pool.size"), e.getMessage());
    }
}
