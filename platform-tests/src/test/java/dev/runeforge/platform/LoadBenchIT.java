package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.testsupport.TestNats;
import dev.runeforge.testsupport.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load benchmark (bench/, docs/performance.md) at a tiny scale, so that it never rots: 2 rooms x 4 players
 * rolling for a few seconds, the latency probe for a few rolls, and the NATS wiretap for a second, against the
 * platform in this JVM. It checks that each tool ran and printed its table, and that no event was lost,
 * duplicated or skipped; timings are printed, never asserted. Self-contained: this file and bench/.
 */
class LoadBenchIT {
    private static final Path BENCH = Path.of("..").toAbsolutePath().normalize().resolve("bench");

    @Test
    void theBenchmarkRunsAndEveryEventArrivesOnce(@TempDir Path tmp) throws Exception {
        assertTrue(Files.isDirectory(BENCH.resolve("node_modules/ws")) && Files.isDirectory(BENCH.resolve("node_modules/nats")),
                "bench/node_modules is missing: ./run-tests.sh provisions it (npm ci --prefix bench)");
        // Heavy rolling for a few seconds: more than the dice room's 10 rolls per 10 s for a player, and the
        // probe sends one message right after the other.
        try (Platform platform = new Platform(Map.of("game.dice.rolls.limit", "100000",
                "gateway.rate.burst", "100000", "gateway.rate.refill", "100000"))) {
            String base = "http://127.0.0.1:" + platform.gateway.port();
            // The platform is this JVM (and NATS); no pid files: the repository's .run/ may hold another platform's.
            List<String> common = List.of("--base-url", base, "--run-dir", tmp.resolve("no-pid-files").toString(),
                    "--pids", "test-jvm=" + ProcessHandle.current().pid(),
                    "--nats-port", Integer.toString(URI.create(TestNats.url()).getPort()));

            Path load = tmp.resolve("load.json");
            List<String> loadArgs = new ArrayList<>(List.of("bench.mjs", "--mode", "heavy", "--steps", "8",
                    "--players", "4", "--warmup", "1", "--duration", "4", "--after-load", "10", "--probe-players", "4",
                    "--json", load.toString()));
            loadArgs.addAll(common);
            String out = node(loadArgs, Duration.ofMinutes(2), null);
            assertTrue(out.contains("achieved/s") && out.contains("p99 ms"), "no table printed");
            JsonNode result = Json.read(Files.readString(load), JsonNode.class);
            assertEquals(2, result.path("steps").size(), "the step and the probe after the load");
            JsonNode step = result.path("steps").get(0);
            assertEquals(8, step.path("ccu").asInt(), "2 rooms x 4 players connected");
            assertTrue(step.path("completed").asInt() > 0, "no roll reached every member of its room");
            JsonNode after = result.path("steps").get(1);
            assertTrue(after.path("afterLoad").asBoolean(), after.toString());
            assertEquals(10, after.path("completed").asInt(), "every roll of the probe after the load seen by all 4");
            assertClean(result.path("whole"));

            Path probe = tmp.resolve("probe.json");
            List<String> probeArgs = new ArrayList<>(List.of("bench.mjs", "--mode", "probe", "--probe-players", "4",
                    "--probe-rolls", "40", "--probe-warmup", "5", "--json", probe.toString()));
            probeArgs.addAll(common);
            out = node(probeArgs, Duration.ofMinutes(2), null);
            assertTrue(out.contains("achieved/s"), "no probe table printed");
            result = Json.read(Files.readString(probe), JsonNode.class);
            assertEquals(40, result.path("steps").get(0).path("completed").asInt(), "every probe roll seen by all 4");
            assertClean(result.path("whole"));

            // The tap must see this platform's traffic: a player rolls while it listens (an idle platform may be
            // quiet for longer than the tap listens: a single game instance holds no leases to renew).
            Path tap = tmp.resolve("tap.json");
            try (WsClient roller = platform.player("Tapped")) {
                roller.send(Map.of("type", "create", "id", UUID.randomUUID().toString(), "game", "dice"));
                String session = roller.awaitType("joined", Duration.ofSeconds(20)).path("session").asText();
                out = node(List.of("wiretap.mjs", "--nats-url", TestNats.url(),
                        "--nkey", TestNats.seedFile(TestNats.DRIVER).toString(), "--tls-ca", TestNats.caFile().toString(),
                        "--namespace", platform.namespace, "--seconds", "3", "--json", tap.toString()),
                        Duration.ofMinutes(1), () -> {
                            String rollId = UUID.randomUUID().toString();
                            roller.send(Map.of("type", "action", "id", rollId, "session", session,
                                    "body", Map.of("type", "roll", "formula", "1d20")));
                            roller.await(m -> "accepted".equals(m.path("type").asText())
                                    && rollId.equals(m.path("id").asText()), Duration.ofSeconds(20));
                        });
            }
            assertTrue(out.contains("msgs/s"), "no wiretap table printed");
            JsonNode counts = Json.read(Files.readString(tap), JsonNode.class);
            assertTrue(counts.path("total").asInt() > 0, "the wiretap saw no message of " + platform.namespace);
        }
    }

    private static void assertClean(JsonNode whole) {
        for (String counter : List.of("lost", "noAnswer", "dup", "gaps", "closed")) {
            assertEquals(0, whole.path(counter).asInt(), counter + " (whole run: " + whole + ")");
        }
    }

    /** Something the test does (over and over) while a tool runs. */
    private interface Meanwhile {
        void run() throws Exception;
    }

    /**
     * Runs node in bench/ and relays its output; fails unless it exits 0 in time. Once the tool says it is
     * listening, {@code meanwhile} (if any) runs again and again until it exits. Returns the output.
     */
    private static String node(List<String> args, Duration limit, Meanwhile meanwhile) throws Exception {
        List<String> command = new ArrayList<>(List.of("node"));
        command.addAll(args);
        Process p = new ProcessBuilder(command).directory(BENCH.toFile()).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread relay = Thread.ofVirtual().start(() -> p.inputReader().lines().forEach(line -> {
            System.out.println(line);
            synchronized (out) {
                out.append(line).append('\n');
            }
        }));
        long deadline = System.nanoTime() + limit.toNanos();
        if (meanwhile != null) {
            while (p.isAlive() && System.nanoTime() < deadline) {
                boolean listening;
                synchronized (out) {
                    listening = out.indexOf("listening") >= 0;
                }
                if (listening) {
                    meanwhile.run();
                }
                Thread.sleep(50);
            }
        }
        if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("node " + String.join(" ", args) + " did not finish within " + limit);
        }
        relay.join(5_000);
        assertEquals(0, p.exitValue(), "node " + String.join(" ", args) + " failed (its output is above)");
        synchronized (out) {
            return out.toString();
        }
    }
}
