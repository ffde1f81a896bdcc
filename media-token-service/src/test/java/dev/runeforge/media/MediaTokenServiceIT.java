package dev.runeforge.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MediaTokenServiceIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String ns = TestNats.newNamespace();

    @AfterEach
    void cleanNamespace() {
        TestNats.deleteNamespace(ns);
    }

    @Test
    void answersPingAndReportsReadyAndMetrics() throws Exception {
        try (ServiceRuntime.Running running = Main.start(config());
             Connection nc = TestNats.connect()) {
            Main.PingReply ping = Rpc.request(nc, new Subjects(ns).mediaPing(), Map.of(), Main.PingReply.class,
                    Duration.ofSeconds(5));
            assertTrue(ping.ok());
            assertEquals("not-configured", ping.livekit());

            HttpResponse<String> ready = get(running.adminPort(), "/ready");
            assertEquals(200, ready.statusCode());
            assertEquals("UP", Json.read(ready.body(), JsonNode.class).path("checks").path("nats").asText());

            assertEquals(200, get(running.adminPort(), "/health").statusCode());

            HttpResponse<String> metrics = get(running.adminPort(), "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("jvm_"), "JVM metrics are exported");
        }
    }

    @Test
    void stopsAnsweringOnTheBusAndTheAdminPortAfterClose() throws Exception {
        ServiceRuntime.Running running = Main.start(config());
        int port = running.adminPort();
        try (Connection nc = TestNats.connect()) {
            String subject = new Subjects(ns).mediaPing();
            assertTrue(Rpc.request(nc, subject, Map.of(), Main.PingReply.class, Duration.ofSeconds(5)).ok());

            running.close();

            assertNobodyAnswers(nc, subject);
            assertThrows(IOException.class, () -> get(port, "/ready"), "the admin port is closed");
        } finally {
            running.close();
        }
    }

    /** A caller must get a typed UNAVAILABLE at once (the server's "no responders"), not a reply or a timeout. */
    private static void assertNobodyAnswers(Connection nc, String subject) {
        long start = System.nanoTime();
        try {
            Main.PingReply reply = Rpc.request(nc, subject, Map.of(), Main.PingReply.class, Duration.ofSeconds(2));
            fail("a closed service answered: " + reply);
        } catch (RpcException e) {
            assertEquals(ErrorCodes.UNAVAILABLE, e.code());
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(), "told at once, not after a timeout");
    }

    private ServiceConfig config() {
        return ServiceConfig.load(TestNats.service(Main.SERVICE, Map.of(
                "bus.namespace", ns,
                "admin.host", "127.0.0.1",
                "admin.port", "0")));
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
