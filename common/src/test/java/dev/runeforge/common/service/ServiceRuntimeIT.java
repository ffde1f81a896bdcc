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
import dev.runeforge.testsupport.TestBus;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.Connection;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueStatus;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamInfo;
import io.nats.service.Group;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What every service is built on, against a real NATS: bootstrap, admin port, request-reply, topology, shutdown. */
class ServiceRuntimeIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @RegisterExtension
    final TestBus bus = new TestBus();

    record Echo(String text) {
    }

    private ServiceRuntime runtime() throws Exception {
        return ServiceRuntime.open("test-service", ServiceConfig.load(TestNats.service(TestNats.DRIVER,
                Map.of("bus.namespace", bus.namespace(), "admin.host", "127.0.0.1", "admin.port", "0"))));
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aServiceAnswersRequestsReportsHealthAndStopsInOrder() throws Exception {
        String ns = bus.namespace();
        Connection client = bus.nc();
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
        ServiceRuntime.Running running = rt.run(() -> {
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
        Subjects subjects = bus.subjects();
        NatsClients.ensureStreams(bus.nc(), subjects);
        NatsClients.ensureStreams(bus.nc(), subjects, 1); // again: an update, not a failure
        NatsClients.ensureDirectory(bus.nc(), subjects);
        NatsClients.ensureDirectory(bus.nc(), subjects);
        StreamInfo events = bus.nc().jetStreamManagement().getStreamInfo(subjects.eventsStream());
        assertEquals(List.of(subjects.eventsAll()), events.getConfiguration().getSubjects());
        // A retried append of one action's commit is dropped within this window (the commit's message id).
        assertEquals(Duration.ofMinutes(2), events.getConfiguration().getDuplicateWindow());
        assertTrue(bus.nc().keyValueManagement().getBucketNames().contains(subjects.directoryBucket()));
    }

    @Test
    void theAdminPortShowsTheSettingsTheServiceReadWithSecretsMasked() throws Exception {
        ServiceConfig config = ServiceConfig.load(TestNats.service(TestNats.DRIVER, Map.of(
                "bus.namespace", bus.namespace(), "admin.host", "127.0.0.1", "admin.port", "0",
                "test.api.secret", "hunter2-hunter2")));
        assertEquals("hunter2-hunter2", config.secret("test.api.secret").orElseThrow());
        ServiceRuntime rt = ServiceRuntime.open("test-service", config);
        try (ServiceRuntime.Running running = rt.run(null, null)) {
            HttpResponse<String> res = get(running.adminPort(), "/settings");
            assertEquals(200, res.statusCode());
            var settings = Json.tree(res.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)).path("settings");
            assertEquals(bus.namespace(), settings.path("bus.namespace").path("value").asText());
            assertEquals("override", settings.path("bus.namespace").path("from").asText());
            assertEquals("BUS_NAMESPACE", settings.path("bus.namespace").path("env").asText());
            assertEquals("***", settings.path("test.api.secret").path("value").asText());
            assertEquals("INFO", settings.path("log.level").path("value").asText());
            assertTrue(!res.body().contains("hunter2"), res.body());
        }
    }

    @Test
    void anExistingBucketTakesTheConfigurationTheCodeAsksForOnTheNextStart() throws Exception {
        String name = bus.namespace() + "-leases";
        var created = NatsClients.ensureBucket(bus.nc(), KeyValueConfiguration.builder().name(name)
                .storageType(StorageType.Memory).maxHistoryPerKey(1).ttl(Duration.ofSeconds(10)).build());
        created.put("p1", "gi-a");
        // A restart with a longer TTL (game.lease.ttl, ...: longer than the 2 minutes' duplicate window the server
        // would pick for an update without one) and a file-stored bucket asked for: the TTL follows, the entry
        // survives, the storage stays what it is (it cannot change in place).
        NatsClients.ensureBucket(bus.nc(), KeyValueConfiguration.builder().name(name)
                .storageType(StorageType.File).maxHistoryPerKey(2).ttl(Duration.ofSeconds(30)).build());
        KeyValueStatus status = bus.nc().keyValueManagement().getStatus(name);
        assertEquals(Duration.ofSeconds(30), status.getTtl());
        assertEquals(2, status.getMaxHistoryPerKey());
        assertEquals(StorageType.Memory, status.getStorageType());
        assertEquals("gi-a", bus.nc().keyValue(name).get("p1").getValueAsString());
        // The same configuration again changes nothing.
        assertEquals(List.of(), NatsClients.bucketChanges(status.getConfiguration(), KeyValueConfiguration.builder()
                .name(name).storageType(StorageType.Memory).maxHistoryPerKey(2).ttl(Duration.ofSeconds(30)).build()));
    }

    @Test
    void aStreamsMaxAgeFollowsTheCode() throws Exception {
        Subjects subjects = bus.subjects();
        NatsClients.ensureStreams(bus.nc(), subjects);
        var jsm = bus.nc().jetStreamManagement();
        var events = jsm.getStreamInfo(subjects.eventsStream()).getConfiguration();
        jsm.updateStream(io.nats.client.api.StreamConfiguration.builder(events).maxAge(Duration.ofHours(1)).build());
        NatsClients.ensureStreams(bus.nc(), subjects);
        assertEquals(Duration.ofDays(2), jsm.getStreamInfo(subjects.eventsStream()).getConfiguration().getMaxAge());
    }
}
