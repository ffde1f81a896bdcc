package dev.runeforge.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {
    @Test
    void oneJsonObjectPerLineWithTheServiceAndTheError() {
        LogRecord record = new LogRecord(Level.WARNING, "session {0} failed");
        record.setParameters(new Object[] {"s1"});
        record.setLoggerName("dev.runeforge.x");
        record.setThrown(new IllegalStateException("boom"));
        String line = new JsonLogFormatter("svc").format(record);
        assertTrue(line.endsWith(System.lineSeparator()) && line.indexOf('\n') == line.length() - 1, line);
        JsonNode json = Json.tree(line.getBytes());
        assertEquals("WARNING", json.path("level").asText());
        assertEquals("svc", json.path("service").asText());
        assertEquals("session s1 failed", json.path("message").asText());
        assertEquals("java.lang.IllegalStateException: boom", json.path("error").asText());
        assertTrue(json.path("stack").asText().contains("JsonLogFormatterTest"));
    }
}
