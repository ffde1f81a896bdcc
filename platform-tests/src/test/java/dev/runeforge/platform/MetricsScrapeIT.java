package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.testsupport.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every service's {@code /metrics}, scraped as Prometheus would after one dice roll over a WebSocket: the
 * operator metrics of issue 10 are there by name, the ones the roll touched carry its counts, and every name in
 * deploy/observability/metrics.txt (what the dashboards and alerts may use, checked by scripts/check-static.sh)
 * is exported by the service it is listed under.
 */
class MetricsScrapeIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The committed list of exported names; target/exported-metrics.txt is this run's full list, to refresh it. */
    private static final Path LISTED = Path.of("..", "deploy", "observability", "metrics.txt");
    private static Platform platform;
    private static ServiceRuntime.Running media;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        // Fast heartbeats and lag samples, so both show within the test's few seconds.
        platform = new Platform(Map.of("gateway.heartbeat.interval", "PT0.2S", "gateway.heartbeat.silence", "PT10S",
                "game.lag.interval", "PT0.2S"));
        media = platform.media(Map.of());
    }

    @AfterAll
    static void stop() {
        if (media != null) {
            media.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    /** One sample line of the Prometheus text format. */
    record Sample(String name, String labels, double value) {
        boolean has(String label, String value) {
            return labels.contains(label + "=\"" + value + "\"");
        }
    }

    private static Map<String, Integer> adminPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("auth-service", platform.auth.adminPort());
        ports.put("persistence-service", platform.persistence.adminPort());
        ports.put("game-instance-service", platform.game.adminPort());
        ports.put("gateway-service", platform.gateway.adminPort());
        ports.put("media-token-service", media.adminPort());
        return ports;
    }

    private static List<Sample> scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode());
        List<Sample> samples = new ArrayList<>();
        for (String line : res.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = line.substring(0, brace >= 0 ? brace : line.indexOf(' '));
            String labels = brace >= 0 ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
            samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
        }
        return samples;
    }

    /** Scrapes until some sample of {@code port} matches, or fails after {@link #WAIT}. */
    private static Sample awaitSample(int port, String what, Predicate<Sample> match) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (Sample s : scrape(port)) {
                if (match.test(s)) {
                    return s;
                }
            }
            Thread.sleep(100);
        }
        return fail("no sample " + what + " on port " + port);
    }

    @Test
    void everyServiceExportsTheOperatorMetricsAfterADiceRoll() throws Exception {
        try (WsClient alice = platform.player("Alice")) {
            alice.send(Map.of("type", "create", "id", UUID.randomUUID().toString(), "game", "dice",
                    "settings", Map.of("mode", "open")));
            String session = alice.awaitType("joined", WAIT).path("session").asText();
            String rollId = UUID.randomUUID().toString();
            alice.send(Map.of("type", "action", "id", rollId, "session", session,
                    "body", Map.of("type", "roll", "formula", "1d20")));
            JsonNode accepted = alice.await(m -> "accepted".equals(m.path("type").asText())
                    && rollId.equals(m.path("id").asText()), WAIT);
            assertEquals(rollId, accepted.path("id").asText());

            Map<String, Integer> ports = adminPorts();
            int gateway = ports.get("gateway-service");
            int game = ports.get("game-instance-service");
            // What the roll (and the open socket) must have counted, not only registered.
            awaitSample(gateway, "players online", s -> s.name().equals("rf_gateway_connections") && s.value() >= 1);
            awaitSample(gateway, "a heartbeat round trip",
                    s -> s.name().equals("rf_gateway_heartbeat_rtt_seconds_count") && s.value() >= 1);
            awaitSample(gateway, "a connect", s -> s.name().equals("rf_gateway_connects_total") && s.value() >= 1);
            awaitSample(game, "the roll, by game, kind and outcome", s -> s.name().equals("rf_game_actions_total")
                    && s.has("game", "dice") && s.has("kind", "game") && s.value() >= 1);
            awaitSample(game, "the dice session",
                    s -> s.name().equals("rf_game_sessions_active") && s.has("game", "dice") && s.value() >= 1);
            awaitSample(game, "the roll's latency",
                    s -> s.name().equals("rf_game_action_duration_seconds_count") && s.value() >= 1);
            awaitSample(game, "the actions waiting (none now)", s -> s.name().equals("rf_game_actions_queued")
                    && s.value() == 0);
            awaitSample(game, "owned partitions", s -> s.name().equals("rf_game_partitions_owned") && s.value() >= 1);
            awaitSample(ports.get("auth-service"), "the guest's token", s -> s.name().equals("rf_auth_tokens_issued_total")
                    && s.has("kind", "guest") && s.value() >= 1);
            awaitSample(ports.get("persistence-service"), "the roll's permalink stored",
                    s -> s.name().equals("rf_persistence_query_duration_seconds_count")
                            && s.has("operation", "permalink_apply") && s.value() >= 1);

            Map<String, TreeSet<String>> exported = new TreeMap<>();
            for (var service : ports.entrySet()) {
                TreeSet<String> names = new TreeSet<>();
                for (Sample s : scrape(service.getValue())) {
                    names.add(s.name());
                    assertTrue(s.has("service", service.getKey()), "every sample names its service: " + s);
                }
                exported.put(service.getKey(), names);
            }
            writeExported(exported);
            assertListedNamesAreExported(exported);
        }
    }

    private static void writeExported(Map<String, TreeSet<String>> exported) throws IOException {
        StringBuilder out = new StringBuilder();
        exported.forEach((service, names) -> names.forEach(n -> out.append(service).append(' ').append(n).append('\n')));
        Files.writeString(Path.of("target", "exported-metrics.txt"), out);
    }

    private static void assertListedNamesAreExported(Map<String, TreeSet<String>> exported) throws IOException {
        List<String> missing = new ArrayList<>();
        int listed = 0;
        for (String line : Files.readAllLines(LISTED)) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            assertEquals(2, parts.length, "metrics.txt lines are '<service> <metric>': " + line);
            listed++;
            if (!exported.getOrDefault(parts[0], new TreeSet<>()).contains(parts[1])) {
                missing.add(line);
            }
        }
        assertTrue(listed > 50, "metrics.txt lists the exported metrics (" + listed + " lines)");
        assertEquals(List.of(), missing, "listed in deploy/observability/metrics.txt but not exported");
    }
}
