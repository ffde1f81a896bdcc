package dev.runeforge.common.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;

class TelemetryTest {
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();

    private Telemetry service(String name) {
        return Telemetry.of(OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setResource(Resource.getDefault().toBuilder().put("service.name", name).build())
                        .addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build());
    }

    @Test
    void tracingIsOffUnlessTheEnvironmentTurnsItOn() {
        assertFalse(Telemetry.enabled(Map.of()));
        assertFalse(Telemetry.enabled(Map.of("otel.traces.exporter", "none")));
        assertFalse(Telemetry.enabled(Map.of("otel.sdk.disabled", "true", "otel.traces.exporter", "otlp")));
        assertTrue(Telemetry.enabled(Map.of("otel.sdk.disabled", "false")));
        assertTrue(Telemetry.enabled(Map.of("otel.traces.exporter", "otlp")));
        assertSame(Telemetry.noop(), Telemetry.configure("svc", Map.of()));
        assertFalse(Telemetry.configure("svc", Map.of()).enabled());
    }

    @Test
    void otelEnvironmentVariablesAndSystemPropertiesBecomeSettings() {
        Properties system = new Properties();
        system.setProperty("otel.traces.sampler", "always_off");
        system.setProperty("unrelated", "x");
        Map<String, String> settings = Telemetry.settings(
                Map.of("OTEL_TRACES_SAMPLER", "always_on", "OTEL_TRACES_SAMPLER_ARG", "0.25", "PATH", "/bin"), system);
        assertEquals(Map.of("otel.traces.sampler", "always_off", "otel.traces.sampler.arg", "0.25"), settings);
    }

    @Test
    void anEnabledSdkNamesTheServiceAndHonoursTheSampler() {
        // An OTLP endpoint nobody listens on: spans are made and their export fails quietly at close.
        try (Telemetry on = Telemetry.configure("game-instance-service",
                Map.of("otel.traces.exporter", "otlp", "otel.exporter.otlp.endpoint", "http://127.0.0.1:9",
                        "otel.exporter.otlp.timeout", "200", "otel.java.exporter.otlp.retry.disabled", "true"))) {
            assertTrue(on.enabled());
            Span span = on.internal("x");
            assertTrue(span.getSpanContext().isSampled());
            span.end();
            OpenTelemetrySdk sdk = (OpenTelemetrySdk) on.openTelemetry();
            assertTrue(sdk.getSdkTracerProvider().toString().contains("service.name=\"game-instance-service\""),
                    sdk.getSdkTracerProvider().toString());
        }
        try (Telemetry sampledOut = Telemetry.configure("svc", Map.of("otel.sdk.disabled", "false",
                "otel.exporter.otlp.endpoint", "http://127.0.0.1:9", "otel.exporter.otlp.timeout", "200",
                "otel.traces.sampler", "traceidratio", "otel.traces.sampler.arg", "0"))) {
            Span span = sampledOut.producer("publish rf.act", "rf.act.1.s");
            assertTrue(span.getSpanContext().isValid());
            assertFalse(span.getSpanContext().isSampled());
            // A sampled-out trace still propagates (its decision travels with it), unsampled.
            Headers headers = sampledOut.inject(span, null);
            String flags = headers.getFirst("traceparent").substring(53);
            assertEquals(0, Integer.parseInt(flags, 16) & 1, headers.getFirst("traceparent"));
            span.end();
        }
    }

    /** The real exporter, over the JDK's HTTP client, to a local OTLP/HTTP receiver: what a collector would get. */
    @Test
    void spansReachAnOtlpReceiverOverHttp() throws Exception {
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(body, java.nio.charset.StandardCharsets.ISO_8859_1));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        try (Telemetry on = Telemetry.configure("gateway-service", Map.of("otel.traces.exporter", "otlp",
                "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + receiver.getAddress().getPort()))) {
            on.producer("publish rf.act", "rf.act.3.s1").setAttribute(Telemetry.SESSION, "s1").end();
        } finally {
            receiver.stop(0);
        }
        assertEquals(1, received.size(), received.toString());
        String request = received.get(0);
        assertTrue(request.startsWith("POST application/x-protobuf "), request);
        assertTrue(request.contains("publish rf.act") && request.contains("gateway-service")
                && request.contains("rf.session"), request);
    }

    @Test
    void aTraceCrossesAMessageThroughItsHeaders() {
        Telemetry gateway = service("gateway-service");
        Telemetry game = service("game-instance-service");
        Span publish = gateway.producer("publish rf.act", "rf.act.3.s1");
        publish.setAttribute(Telemetry.SESSION, "s1");
        Headers headers = gateway.inject(publish, new Headers().put("Rf-Origin", "c1"));
        publish.end();
        assertEquals("c1", headers.getFirst("Rf-Origin"));

        Span consume = game.consumer("process rf.act", "rf.act.3.s1", headers);
        try (Scope scope = consume.makeCurrent()) {
            Span append = game.producer("publish rf.evt", "rf.evt.s1");
            append.end();
            Headers views = game.injectCurrent(null);
            assertTrue(views.getFirst("traceparent").contains(consume.getSpanContext().getSpanId()));
        } finally {
            consume.end();
        }

        List<SpanData> done = spans.getFinishedSpanItems();
        assertEquals(3, done.size());
        SpanData p = done.get(0);
        SpanData c = done.get(2);
        SpanData a = done.get(1);
        assertEquals(SpanKind.PRODUCER, p.getKind());
        assertEquals(SpanKind.CONSUMER, c.getKind());
        assertEquals(p.getTraceId(), c.getTraceId());
        assertEquals(p.getSpanId(), c.getParentSpanId());
        assertTrue(c.getParentSpanContext().isRemote());
        assertEquals(c.getSpanId(), a.getParentSpanId());
        assertEquals("nats", c.getAttributes().get(Telemetry.MESSAGING_SYSTEM));
        assertEquals("rf.act.3.s1", c.getAttributes().get(Telemetry.DESTINATION));
        assertEquals("process", c.getAttributes().get(Telemetry.OPERATION_TYPE));
        assertEquals("s1", p.getAttributes().get(Telemetry.SESSION));
        assertEquals("gateway-service", p.getResource().getAttribute(AttributeKey.stringKey("service.name")));
    }

    @Test
    void requestAndAnswerAreClientAndServerSpans() {
        Telemetry gateway = service("gateway-service");
        Telemetry auth = service("auth-service");
        Span client = gateway.client("rf.auth.guest");
        Headers headers = gateway.inject(client, null);
        Span server = auth.server("rf.auth.guest", headers);
        Telemetry.failed(server, new IllegalStateException("secret detail"));
        server.end();
        client.end();
        SpanData s = spans.getFinishedSpanItems().get(0);
        assertEquals(SpanKind.SERVER, s.getKind());
        assertEquals("answer rf.auth.guest", s.getName());
        assertEquals(client.getSpanContext().getSpanId(), s.getParentSpanId());
        assertEquals(StatusCode.ERROR, s.getStatus().getStatusCode());
        assertEquals("java.lang.IllegalStateException", s.getAttributes().get(Telemetry.ERROR_TYPE));
        assertFalse(s.toString().contains("secret detail"), "error messages stay out of spans");
        assertEquals(SpanKind.CLIENT, spans.getFinishedSpanItems().get(1).getKind());
    }

    @Test
    void untracedMessagesGetNoHeaders() {
        Telemetry off = Telemetry.noop();
        Span span = off.producer("publish rf.act", "rf.act.1.s");
        assertFalse(span.getSpanContext().isValid());
        assertNull(off.inject(span, null));
        Headers existing = new Headers().put("Rf-Origin", "c1");
        assertSame(existing, off.injectCurrent(existing));
        assertEquals(1, existing.keySet().size());
        // Headers without a trace context (or none at all) continue the current context.
        assertFalse(Span.fromContext(service("x").extract(null)).getSpanContext().isValid());
        assertFalse(Span.fromContext(service("x").extract(existing)).getSpanContext().isValid());
        off.close();
    }

    @Test
    void eachConnectionFindsTheTracingItWasBoundTo() {
        Connection a = connection();
        Connection b = connection();
        Telemetry traced = service("a");
        Telemetry.bind(a, traced);
        assertSame(traced, Telemetry.of(a));
        assertSame(Telemetry.noop(), Telemetry.of(b));
        assertSame(Telemetry.noop(), Telemetry.of((Connection) null));
        assertNotSame(traced, Telemetry.of(b));
        assertEquals("dev.runeforge", Telemetry.SCOPE);
        traced.span("batch", SpanKind.INTERNAL, io.opentelemetry.context.Context.root()).startSpan().end();
        SpanData batch = spans.getFinishedSpanItems().get(0);
        assertEquals(SpanKind.INTERNAL, batch.getKind());
        assertFalse(batch.getParentSpanContext().isValid());
    }

    /** A Connection that is only a map key: nothing here talks to NATS. */
    private static Connection connection() {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "test connection";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
