package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.logging.JsonLogFormatter;
import dev.runeforge.common.telemetry.Telemetry;
import dev.runeforge.testsupport.WsClient;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;

/**
 * One dice roll is one trace: the gateway's publish, the game instance's handling and append, the gateway's
 * delivery of the views and persistence's projection of the roll, every span parent-linked, over real NATS and
 * PostgreSQL. Each service has its own SDK (its own service.name), all exporting to one in-memory exporter.
 */
class TraceIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

    private Telemetry traced(String service) {
        return Telemetry.of(OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setResource(Resource.getDefault().toBuilder().put(SERVICE_NAME, service).build())
                        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build());
    }

    @Test
    void oneRollIsOneTraceFromTheGatewayThroughTheGameToPersistence() throws Exception {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        Handler captured = new StreamHandler(logs, new JsonLogFormatter("test"));
        Logger.getLogger("").addHandler(captured);
        String cookie;
        try (Platform platform = new Platform(Map.of(), this::traced)) {
            cookie = platform.guest("Alice");
            try (WsClient alice = WsClient.connect(platform.ws(), cookie)) {
                alice.send(Map.of("type", "hello", "v", 1));
                alice.awaitType("welcome", WAIT);
                alice.send(Map.of("type", "create", "id", UUID.randomUUID().toString(), "game", "dice",
                        "settings", Map.of("mode", "open")));
                String session = alice.awaitType("joined", WAIT).path("session").asText();

                String rollId = UUID.randomUUID().toString();
                alice.send(Map.of("type", "action", "id", rollId, "session", session,
                        "body", Map.of("type", "roll", "formula", "1d20")));
                JsonNode rolled = alice.await(m -> "rolled".equals(m.path("body").path("type").asText())
                        && m.path("body").path("roll").path("action").asText().endsWith(":" + rollId), WAIT);
                assertEquals(session, rolled.path("session").asText());

                SpanData publish = await(s -> s.getName().equals("publish rf.act")
                        && s.getAttributes().get(Telemetry.MESSAGE_ID).endsWith(":" + rollId));
                String trace = publish.getTraceId();
                // Persistence has projected the roll once its transaction span and its message's span have ended.
                SpanData store = await(s -> s.getTraceId().equals(trace) && s.getName().equals("store permalinks"));
                await(s -> s.getTraceId().equals(trace) && s.getName().equals("process rf.evt"));
                await(s -> s.getTraceId().equals(trace) && s.getName().equals("process rf.out"));
                await(s -> s.getTraceId().equals(trace) && s.getName().equals("process rf.act"));

                List<SpanData> spans = exporter.getFinishedSpanItems().stream()
                        .filter(s -> s.getTraceId().equals(trace)).toList();
                Map<String, SpanData> byId = spans.stream().collect(Collectors.toMap(SpanData::getSpanId, s -> s));

                System.out.println("the roll's trace " + trace + ":\n" + tree(spans, publish, ""));
                // One trace over three services.
                Set<String> services = spans.stream().map(s -> s.getResource().getAttribute(SERVICE_NAME))
                        .collect(Collectors.toSet());
                assertTrue(services.containsAll(Set.of("gateway-service", "game-instance-service",
                        "persistence-service")), services.toString());
                // One root (the gateway's publish); every other span's parent is in the trace.
                List<SpanData> roots = spans.stream().filter(s -> !s.getParentSpanContext().isValid()).toList();
                assertEquals(List.of(publish), roots);
                for (SpanData s : spans) {
                    assertTrue(s == publish || byId.containsKey(s.getParentSpanId()), "orphan span " + s);
                }

                // The chain: gateway publish -> game consume -> append -> persistence projection -> transaction.
                assertEquals("gateway-service", serviceOf(publish));
                assertEquals(SpanKind.PRODUCER, publish.getKind());
                assertEquals(session, publish.getAttributes().get(Telemetry.SESSION));
                SpanData consume = childOf(spans, publish, "process rf.act");
                assertEquals("game-instance-service", serviceOf(consume));
                assertEquals(SpanKind.CONSUMER, consume.getKind());
                assertEquals(session, consume.getAttributes().get(Telemetry.SESSION));
                assertEquals(publish.getAttributes().get(Telemetry.PLAYER), consume.getAttributes().get(Telemetry.PLAYER));
                SpanData append = childOf(spans, consume, "publish rf.evt");
                assertEquals("game-instance-service", serviceOf(append));
                SpanData project = childOf(spans, append, "process rf.evt");
                assertEquals("persistence-service", serviceOf(project));
                assertEquals(project.getSpanId(), store.getParentSpanId());
                assertEquals("postgresql", store.getAttributes().get(AttributeKey.stringKey("db.system.name")));
                // The views published on core NATS continue the game's span in the gateway.
                SpanData deliver = childOf(spans, consume, "process rf.out");
                assertEquals("gateway-service", serviceOf(deliver));
                assertEquals("nats", deliver.getAttributes().get(Telemetry.MESSAGING_SYSTEM));
                assertTrue(deliver.getAttributes().get(Telemetry.DESTINATION).contains(".out." + session + "."));
            }
        } finally {
            captured.flush();
            Logger.getLogger("").removeHandler(captured);
        }

        // Sign-in was traced too: the gateway's request and auth-service's answer, one trace.
        SpanData answer = await(s -> s.getName().startsWith("answer ") && s.getName().endsWith(".auth.guest"));
        assertEquals("auth-service", serviceOf(answer));
        SpanData request = exporter.getFinishedSpanItems().stream()
                .filter(s -> s.getSpanId().equals(answer.getParentSpanId())).findFirst().orElseThrow();
        assertEquals("gateway-service", serviceOf(request));
        assertEquals(SpanKind.CLIENT, request.getKind());

        // Neither the spans nor the log lines carry the access token or the signing keys' secret.
        String token = cookie.substring(cookie.indexOf('=') + 1);
        String everything = exporter.getFinishedSpanItems().toString() + logs.toString(StandardCharsets.UTF_8);
        assertTrue(token.length() > 20, token);
        assertFalse(everything.contains(token), "the access token leaked into spans or logs");
        assertFalse(everything.contains(Platform.KEY_SECRET), "the key secret leaked into spans or logs");
    }

    /** The trace as an indented tree (for the test's output). */
    private static String tree(List<SpanData> spans, SpanData root, String indent) {
        StringBuilder out = new StringBuilder(indent + root.getName() + " [" + serviceOf(root) + ", "
                + root.getKind() + "]\n");
        spans.stream().filter(s -> s.getParentSpanId().equals(root.getSpanId()))
                .forEach(child -> out.append(tree(spans, child, indent + "  ")));
        return out.toString();
    }

    private static String serviceOf(SpanData span) {
        return span.getResource().getAttribute(SERVICE_NAME);
    }

    private static SpanData childOf(List<SpanData> spans, SpanData parent, String name) {
        return spans.stream().filter(s -> s.getName().equals(name) && s.getParentSpanId().equals(parent.getSpanId()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " under " + parent.getName()
                        + " in " + spans.stream().map(s -> s.getName() + "(" + s.getSpanId() + "<-"
                        + s.getParentSpanId() + ")").toList()));
    }

    /** The first finished span matching {@code match}, polling up to {@link #WAIT}. */
    private SpanData await(Predicate<SpanData> match) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (SpanData s : exporter.getFinishedSpanItems()) {
                if (match.test(s)) {
                    return s;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no such span within " + WAIT + " among "
                        + exporter.getFinishedSpanItems().stream().map(SpanData::getName).toList());
            }
            Thread.sleep(20);
        }
    }
}
