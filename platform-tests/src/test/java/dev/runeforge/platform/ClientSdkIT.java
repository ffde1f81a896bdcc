package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The JavaScript client SDK (clients/js) against the platform started in this JVM on real NATS and PostgreSQL:
 * its unit tests ({@code test/*.test.mjs}) and its integration tests ({@code test/*.it.mjs}: sign-in,
 * create/join, typed errors, resume after a forced disconnect, an action retried with the same id, the example
 * bot), run with Node's test runner and {@code RF_BASE_URL} set to the gateway. ./run-tests.sh has provisioned
 * {@code clients/js/node_modules} (the ws package for Node's WebSocket).
 */
class ClientSdkIT {
    static final Path SDK = Path.of("..").toAbsolutePath().normalize().resolve("clients/js");

    @Test
    void theSdkAgainstARealPlatform() throws Exception {
        assertTrue(Files.isDirectory(SDK.resolve("node_modules/ws")),
                "clients/js/node_modules is missing: ./run-tests.sh provisions it (npm ci --prefix clients/js)");
        List<String> files = testFiles();
        assertTrue(files.stream().anyMatch(f -> f.endsWith(".it.mjs")), "no test/*.it.mjs in " + SDK);
        assertTrue(files.stream().anyMatch(f -> f.endsWith(".test.mjs")), "no test/*.test.mjs in " + SDK);
        // Tests roll faster than players do, from one address: the roll limit and message budget are raised. A
        // socket the tests kill without a close is found by the gateway's next ping: one a second, not every 10 s.
        try (Platform platform = new Platform(Map.of("game.dice.rolls.limit", "1000",
                "gateway.rate.burst", "1000", "gateway.rate.refill", "1000",
                "gateway.heartbeat.interval", "PT1S"))) {
            List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
            command.addAll(files);
            ProcessBuilder node = new ProcessBuilder(command).directory(SDK.toFile()).redirectErrorStream(true);
            node.environment().put("RF_BASE_URL", "http://127.0.0.1:" + platform.gateway.port());
            Process p = node.start();
            Thread relay = Thread.ofVirtual().start(() -> p.inputReader().lines().forEach(System.out::println));
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("the SDK tests did not finish within 5 minutes");
            }
            relay.join(5_000);
            assertEquals(0, p.exitValue(), "an SDK test failed (its output is above)");
        }
    }

    /** test/*.test.mjs and test/*.it.mjs, named one by one (Node 22+ no longer searches a bare directory). */
    private static List<String> testFiles() throws IOException {
        try (Stream<Path> files = Files.list(SDK.resolve("test"))) {
            return files.map(f -> "test/" + f.getFileName())
                    .filter(n -> n.endsWith(".test.mjs") || n.endsWith(".it.mjs"))
                    .sorted().toList();
        }
    }
}
