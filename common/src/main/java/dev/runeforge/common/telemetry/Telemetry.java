package dev.runeforge.common.telemetry;

import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;

/**
 * One service's tracing: its {@link Tracer}, the W3C trace-context propagation through NATS headers, and small
 * helpers that start the spans of a NATS hop (producer/consumer around publish/consume, client/server around
 * request-reply) with the messaging attributes.
 *
 * <p>Off by default: {@link #fromEnvironment} gives the no-op instance unless the standard {@code OTEL_*}
 * variables turn tracing on (see there). No-op spans cost next to nothing, and {@link #inject} adds no header
 * while there is no sampled span.
 *
 * <p>Each service has its own instance (several services share one JVM in tests), bound to the service's NATS
 * connection by {@code ServiceRuntime}: code that already holds the connection ({@code Rpc}, publishers,
 * consumers) finds its service's tracing with {@link #of(Connection)} instead of every constructor on the action
 * path growing a parameter. A connection nobody bound traces nothing.
 */
public final class Telemetry implements AutoCloseable {
    /** Instrumentation scope of every Rune Forge span. */
    public static final String SCOPE = "dev.runeforge";

    public static final AttributeKey<String> SESSION = AttributeKey.stringKey("rf.session");
    public static final AttributeKey<String> PLAYER = AttributeKey.stringKey("rf.player");
    public static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    public static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    public static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    public static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    public static final AttributeKey<Long> BATCH_COUNT = AttributeKey.longKey("messaging.batch.message_count");
    public static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private static final Telemetry NOOP = new Telemetry(OpenTelemetry.noop(), null);
    private static final Map<Connection, Telemetry> BOUND = Collections.synchronizedMap(new WeakHashMap<>());

    private final OpenTelemetry otel;
    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final OpenTelemetrySdk owned;

    private Telemetry(OpenTelemetry otel, OpenTelemetrySdk owned) {
        this.otel = otel;
        this.tracer = otel.getTracer(SCOPE);
        this.propagator = otel.getPropagators().getTextMapPropagator();
        this.owned = owned;
    }

    /** Traces nothing, propagates nothing. */
    public static Telemetry noop() {
        return NOOP;
    }

    /** Uses {@code otel} (tests pass an SDK with an in-memory exporter); {@link #close()} leaves it open. */
    public static Telemetry of(OpenTelemetry otel) {
        return new Telemetry(Objects.requireNonNull(otel), null);
    }

    /**
     * Tracing as the standard OpenTelemetry variables (or {@code -Dotel.*} system properties) say, for
     * {@code service} (its {@code service.name} unless {@code OTEL_SERVICE_NAME} names another).
     *
     * <p>Off unless {@code OTEL_SDK_DISABLED=false}, or {@code OTEL_TRACES_EXPORTER} names an exporter (and
     * {@code OTEL_SDK_DISABLED} is not {@code true}). When on: the OTLP exporter over {@code http/protobuf} (the
     * only protocol this build ships a sender for) to {@code OTEL_EXPORTER_OTLP_ENDPOINT} (default
     * {@code http://localhost:4318}), the sampler of {@code OTEL_TRACES_SAMPLER}/{@code OTEL_TRACES_SAMPLER_ARG}
     * (default {@code parentbased_always_on}), W3C trace context; OpenTelemetry metrics and logs stay off
     * (metrics are Prometheus', logs are JSON lines on stdout).
     */
    public static Telemetry fromEnvironment(String service) {
        return configure(service, settings(System.getenv(), System.getProperties()));
    }

    /** The {@code otel.*} settings: environment variables ({@code OTEL_FOO_BAR} as {@code otel.foo.bar}), then system properties over them. */
    static Map<String, String> settings(Map<String, String> env, Properties system) {
        Map<String, String> settings = new HashMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("OTEL_")) {
                settings.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        system.stringPropertyNames().stream().filter(k -> k.startsWith("otel."))
                .forEach(k -> settings.put(k, system.getProperty(k)));
        return settings;
    }

    /** Whether {@code settings} turn tracing on (see {@link #fromEnvironment}). */
    static boolean enabled(Map<String, String> settings) {
        String disabled = settings.getOrDefault("otel.sdk.disabled", "").trim();
        if (!disabled.isEmpty()) {
            return !Boolean.parseBoolean(disabled);
        }
        String exporter = settings.getOrDefault("otel.traces.exporter", "").trim();
        return !exporter.isEmpty() && !exporter.equals("none");
    }

    static Telemetry configure(String service, Map<String, String> settings) {
        if (!enabled(settings)) {
            return NOOP;
        }
        Map<String, String> defaults = Map.of(
                "otel.service.name", service,
                "otel.traces.exporter", "otlp",
                "otel.exporter.otlp.protocol", "http/protobuf",
                "otel.metrics.exporter", "none",
                "otel.logs.exporter", "none",
                "otel.propagators", "tracecontext,baggage");
        Map<String, String> effective = new HashMap<>(settings);
        effective.put("otel.sdk.disabled", "false");
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                // What we read wins over the real environment: the same thing in a service, explicit in tests.
                .addPropertiesCustomizer(config -> effective)
                .disableShutdownHook() // ServiceRuntime flushes and closes it in its shutdown order
                .build()
                .getOpenTelemetrySdk();
        return new Telemetry(sdk, sdk);
    }

    /** Binds {@code telemetry} to {@code nc}: what {@link #of(Connection)} answers for that connection. */
    public static void bind(Connection nc, Telemetry telemetry) {
        BOUND.put(Objects.requireNonNull(nc), Objects.requireNonNull(telemetry));
    }

    /** The tracing bound to {@code nc}, or the no-op one. */
    public static Telemetry of(Connection nc) {
        Telemetry t = nc == null ? null : BOUND.get(nc);
        return t == null ? NOOP : t;
    }

    /** True unless this is the no-op instance. */
    public boolean enabled() {
        return this != NOOP;
    }

    public OpenTelemetry openTelemetry() {
        return otel;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** The trace context {@code headers} carry (the current context when they carry none). */
    public Context extract(Headers headers) {
        if (headers == null || headers.isEmpty()) {
            return Context.current();
        }
        return propagator.extract(Context.current(), headers, NatsHeaders.GETTER);
    }

    /**
     * Writes {@code span}'s trace context into {@code headers}, creating them when null and there is something
     * to write. Returns the headers to send: {@code headers} unchanged (possibly null) when {@code span} is not
     * a valid span, so untraced messages carry no extra header.
     */
    public Headers inject(Span span, Headers headers) {
        if (!span.getSpanContext().isValid()) {
            return headers;
        }
        Headers out = headers == null ? new Headers() : headers;
        propagator.inject(Context.current().with(span), out, NatsHeaders.SETTER);
        return out;
    }

    /** As {@link #inject(Span, Headers)} with the current span. */
    public Headers injectCurrent(Headers headers) {
        return inject(Span.current(), headers);
    }

    /** A PRODUCER span for publishing to {@code subject}, child of the current span (a root when there is none). */
    public Span producer(String name, String subject) {
        return messaging(name, SpanKind.PRODUCER, subject, "send", Context.current());
    }

    /** A CONSUMER span for processing a message from {@code subject}, child of the context its headers carry. */
    public Span consumer(String name, String subject, Headers headers) {
        return messaging(name, SpanKind.CONSUMER, subject, "process", extract(headers));
    }

    /** A CLIENT span for a request to {@code subject} (request-reply), child of the current span. */
    public Span client(String subject) {
        return messaging("request " + subject, SpanKind.CLIENT, subject, "send", Context.current())
                .setAttribute(RPC_SYSTEM, "nats");
    }

    /** A SERVER span for answering a request on {@code subject}, child of the caller's span its headers carry. */
    public Span server(String subject, Headers headers) {
        return messaging("answer " + subject, SpanKind.SERVER, subject, "process", extract(headers))
                .setAttribute(RPC_SYSTEM, "nats");
    }

    /** An INTERNAL span, child of the current span. */
    public Span internal(String name) {
        return tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL).startSpan();
    }

    /** A span of {@code kind} under {@code parent}; callers add their own attributes. */
    public SpanBuilder span(String name, SpanKind kind, Context parent) {
        return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent);
    }

    private Span messaging(String name, SpanKind kind, String subject, String operation, Context parent) {
        return tracer.spanBuilder(name)
                .setSpanKind(kind)
                .setParent(parent)
                .setAttribute(MESSAGING_SYSTEM, "nats")
                .setAttribute(DESTINATION, subject)
                .setAttribute(OPERATION_TYPE, operation)
                .startSpan();
    }

    /** Marks {@code span} failed with {@code error}'s type (never its message: it may quote user input). */
    public static void failed(Span span, Throwable error) {
        span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR);
        span.setAttribute(ERROR_TYPE, error.getClass().getName());
    }

    /** Exports what is buffered and stops the SDK, when this instance built it. */
    @Override
    public void close() {
        if (owned != null) {
            owned.getSdkTracerProvider().forceFlush().join(5, TimeUnit.SECONDS);
            owned.shutdown().join(5, TimeUnit.SECONDS);
        }
    }
}
