package dev.runeforge.common.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamInfo;
import io.nats.service.Group;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every service is built on, against a real NATS: bootstrap, admin port, request-reply, topology, shutdown. */
class ServiceRuntimeIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private String ns;
    private Connection client;

    record Echo(String text) {
    }

    @BeforeEach
    void setUp() throws Exception {
        ns = TestNats.newNamespace();
        client = Nats.connect(TestNats.url());
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        TestNats.deleteNamespace(ns);
    }

    private ServiceRuntime runtime() throws Exception {
        return ServiceRuntime.open("test-service", ServiceConfig.load(Map.of("bus.namespace", ns,
                "nats.url", TestNats.url(), "admin.host", "127.0.0.1", "admin.port", "0")));
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aServiceAnswersRequestsReportsHealthAndStopsInOrder() throws Exception {
        ServiceRuntime rt = runtime();
        assertEquals(ns, rt.subjects().namespace());
        Group group = new Group(ns + ".test");
        var service = rt.service("test", "a test service",
                Rpc.endpoint(rt.nats(), group, "echo", data -> {
                    Echo e = Json.read(data, Echo.class);
                    if (e.text().isEmpty()) {
                        throw new RpcException("EMPTY", "say something");
                    }
                    if (e.text().equals("boom")) {
                        throw new IllegalStateException("a bug");
                    }
                    return new Echo(e.text().toUpperCase());
                }));
        List<String> order = new ArrayList<>();
        rt.admin().readiness("flaky", () -> {
            throw new IllegalStateException("check failed");
        });
        ServiceRuntime.Running running = rt.run(9999, () -> {
            order.add("stop work");
            service.stop();
        }, () -> order.add("release"));
        int port = running.adminPort();

        assertEquals(new Echo("HI"), Rpc.request(client, ns + ".test.echo", new Echo("hi"), Echo.class, Duration.ofSeconds(2)));
        RpcException typed = assertThrows(RpcException.class,
                () -> Rpc.request(client, ns + ".test.echo", new Echo(""), Echo.class, Duration.ofSeconds(2)));
        assertEquals("EMPTY", typed.code());
        assertEquals("say something", typed.getMessage());
        RpcException bad = assertThrows(RpcException.class,
                () -> Rpc.request(client, ns + ".test.echo", List.of(1), Echo.class, Duration.ofSeconds(2)));
        assertEquals(ErrorCodes.BAD_MESSAGE, bad.code());
        RpcException bug = assertThrows(RpcException.class,
                () -> Rpc.request(client, ns + ".test.echo", new Echo("boom"), Echo.class, Duration.ofSeconds(2)));
        assertEquals(ErrorCodes.INTERNAL, bug.code());
        assertTrue(!bug.getMessage().contains("a bug"), "internal details stay inside");
        RpcException nobody = assertThrows(RpcException.class,
                () -> Rpc.request(client, ns + ".nobody.home", new Echo("x"), Echo.class, Duration.ofSeconds(2)));
        assertEquals(ErrorCodes.UNAVAILABLE, nobody.code());

        assertEquals(200, get(port, "/health").statusCode());
        HttpResponse<String> ready = get(port, "/ready");
        assertEquals(503, ready.statusCode(), "a failing check makes the service unready");
        assertTrue(ready.body().contains("\"flaky\":\"DOWN\"") && ready.body().contains("\"nats\":\"UP\""), ready.body());
        String metrics = get(port, "/metrics").body();
        assertTrue(metrics.contains("jvm_memory_used_bytes") && metrics.contains("service=\"test-service\""));

        running.close();
        running.close(); // a second SIGTERM changes nothing
        assertEquals(List.of("stop work", "release"), order);
        assertThrows(IOException.class, () -> get(port, "/health"));
        assertTrue(!NatsClients.isConnected(rt.nats()));
    }

    @Test
    void streamsAndBucketsAreCreatedOnceAndKeptInSync() throws Exception {
        Subjects subjects = new Subjects(ns);
        NatsClients.ensureStreams(client, subjects);
        NatsClients.ensureStreams(client, subjects, 1); // again: an update, not a failure
        NatsClients.ensureDirectory(client, subjects);
        NatsClients.ensureDirectory(client, subjects);
        StreamInfo actions = client.jetStreamManagement().getStreamInfo(subjects.actionsStream());
        assertEquals(List.of(subjects.actionsAll()), actions.getConfiguration().getSubjects());
        assertEquals(Duration.ofMinutes(2), actions.getConfiguration().getDuplicateWindow());
        assertTrue(client.keyValueManagement().getBucketNames().contains(subjects.directoryBucket()));
    }
}
