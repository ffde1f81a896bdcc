package dev.runeforge.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;

class LogContextTest {
    private static JsonNode format(LogRecord record) {
        return Json.tree(new JsonLogFormatter("svc").format(record).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aLineLoggedWhileAnActionIsHandledNamesItsTraceSessionAndPlayer() {
        // A provider without a span processor makes no real spans: give it one that drops them.
        try (SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(InMemorySpanExporter.create())).build()) {
            Span span = provider.get("test").spanBuilder("process rf.act").startSpan();
            try (Scope s = span.makeCurrent(); LogContext.Scope c = LogContext.open("s1", "p1")) {
                JsonNode line = format(new LogRecord(Level.WARNING, "refused"));
                assertEquals(span.getSpanContext().getTraceId(), line.path("trace_id").asText());
                assertEquals(span.getSpanContext().getSpanId(), line.path("span_id").asText());
                assertEquals("s1", line.path("session").asText());
                assertEquals("p1", line.path("player").asText());
            } finally {
                span.end();
            }
        }
        JsonNode outside = format(new LogRecord(Level.INFO, "idle"));
        assertFalse(outside.has("trace_id") || outside.has("span_id") || outside.has("session") || outside.has("player"),
                outside.toString());
    }

    @Test
    void scopesNestAndRestore() {
        try (LogContext.Scope outer = LogContext.open("s1", null)) {
            try (LogContext.Scope inner = LogContext.open("s2", "p2")) {
                assertEquals(new LogContext.Fields("s2", "p2"), LogContext.current());
            }
            assertEquals(new LogContext.Fields("s1", null), LogContext.current());
            JsonNode line = format(new LogRecord(Level.INFO, "x"));
            assertEquals("s1", line.path("session").asText());
            assertFalse(line.has("player"));
            try (LogContext.Scope none = LogContext.open(null, null)) {
                assertEquals(new LogContext.Fields("s1", null), LogContext.current());
            }
        }
        assertNull(LogContext.current());
    }

    /** The fields come from the logging thread: JUL's stream handlers format on the caller's thread. */
    @Test
    void aHandlerFormatsOnTheThreadThatLogged() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Handler handler = new StreamHandler(out, new JsonLogFormatter("svc"));
        Logger logger = Logger.getLogger("dev.runeforge.logcontext.test");
        logger.setUseParentHandlers(false);
        logger.addHandler(handler);
        try (LogContext.Scope c = LogContext.open("s9", "p9")) {
            logger.warning("inside");
        } finally {
            handler.flush();
            logger.removeHandler(handler);
        }
        JsonNode line = Json.tree(out.toByteArray());
        assertEquals("s9", line.path("session").asText());
        assertEquals("p9", line.path("player").asText());
    }
}
