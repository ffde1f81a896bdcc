package dev.runeforge.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ServiceConfigTest {
    @Test
    void overridesWinOverSystemPropertiesAndDefaults() {
        System.setProperty("rf.test.key", "from-sysprop");
        try {
            assertEquals("from-sysprop", ServiceConfig.load().get("rf.test.key").asString().get());
            assertEquals("override", ServiceConfig.load(Map.of("rf.test.key", "override")).get("rf.test.key").asString().get());
        } finally {
            System.clearProperty("rf.test.key");
        }
        assertTrue(ServiceConfig.load().get("no.such.key").asString().isEmpty());
    }

    @Test
    void environmentVariablesNameKeysWithUnderscores() {
        // Any variable like NATS_URL also sets nats.url; take one this environment has (HOME_DIR-style names).
        var env = System.getenv().entrySet().stream()
                .filter(e -> e.getKey().matches("[A-Z]+_[A-Z]+") && !e.getValue().isEmpty())
                .findFirst().orElseThrow(() -> new AssertionError("no VARIABLE_NAME in this environment"));
        String key = env.getKey().toLowerCase(java.util.Locale.ROOT).replace('_', '.');
        assertEquals(env.getValue(), ServiceConfig.load().get(key).asString().orElse(null), env.getKey() + " -> " + key);
    }
}
