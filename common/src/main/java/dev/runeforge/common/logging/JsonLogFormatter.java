package dev.runeforge.common.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

import dev.runeforge.common.json.Json;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * One JSON object per line: what log shippers (Loki, Elastic, journald) ingest without parsing rules. A line
 * logged inside a traced span carries its {@code trace_id} and {@code span_id}; inside a {@link LogContext} scope,
 * the {@code session} and {@code player} ids. Both are read from the logging thread, which with JUL's synchronous
 * handlers is the thread that logged.
 */
public final class JsonLogFormatter extends Formatter {
    private final String service;

    public JsonLogFormatter(String service) {
        this.service = service;
    }

    @Override
    public String format(LogRecord record) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", Instant.ofEpochMilli(record.getMillis()).toString());
        line.put("level", record.getLevel().getName());
        line.put("service", service);
        line.put("logger", record.getLoggerName());
        line.put("thread", Thread.currentThread().getName());
        line.put("message", formatMessage(record));
        SpanContext span = Span.current().getSpanContext();
        if (span.isValid()) {
            line.put("trace_id", span.getTraceId());
            line.put("span_id", span.getSpanId());
        }
        LogContext.Fields fields = LogContext.current();
        if (fields != null) {
            if (fields.session() != null) {
                line.put("session", fields.session());
            }
            if (fields.player() != null) {
                line.put("player", fields.player());
            }
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.put("error", record.getThrown().toString());
            line.put("stack", trace.toString());
        }
        return Json.text(line) + System.lineSeparator();
    }
}
