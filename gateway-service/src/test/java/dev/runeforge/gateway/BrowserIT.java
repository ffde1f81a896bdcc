package dev.runeforge.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The browser client in real headless Chromium (Debian's, driven by playwright-core from e2e/): players in
 * separate browser contexts share dice rooms. The platform runs in this JVM on real NATS; the scenarios
 * themselves are e2e/dice-*.test.mjs, run with Node's test runner (one file at a time, one Chromium each).
 */
class BrowserIT {
    private static final Path E2E = Path.of("..").toAbsolutePath().normalize().resolve("e2e");
    /** Scenarios that need a platform of their own (short room expiry and DM grace); the rest share one. */
    private static final String LIFECYCLE = "dice-lifecycle.test.mjs";
    private static String chromium;

    @BeforeAll
    static void tools() {
        assertTrue(Files.isDirectory(E2E.resolve("node_modules/playwright-core")),
                "e2e/node_modules is missing: ./run-tests.sh provisions it (npm ci --prefix e2e)");
        chromium = System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium");
        assertTrue(Files.isExecutable(Path.of(chromium)),
                chromium + " is missing: ./run-tests.sh provisions it (apt-get install chromium)");
    }

    /**
     * Create/join/roll, DM-led rooms (hidden rolls, reveal, DC), promotion and history paging, reconnecting after
     * the network drops, notation and errors, kicks, phone layout. Tests roll faster than players do, so the
     * roll limit and the socket's message budget are raised.
     */
    @Test
    void diceRoomScenariosInRealBrowsers() throws Exception {
        List<String> files = scenarios().stream().filter(f -> !f.equals(LIFECYCLE)).toList();
        assertTrue(files.size() >= 5, "expected the dice-*.test.mjs scenarios, found " + files);
        try (Platform platform = new Platform(Map.of("game.dice.rolls.limit", "1000",
                "gateway.rate.burst", "1000", "gateway.rate.refill", "1000"))) {
            runNode(platform, files);
        }
    }

    /**
     * A room nobody uses warns with a countdown, then closes; a DM who drops out gets a grace period the players
     * see counting down; the browser says why a room closed.
     */
    @Test
    void roomsWarnAndCloseInTheBrowser() throws Exception {
        assertTrue(scenarios().contains(LIFECYCLE), LIFECYCLE + " is missing");
        try (Platform platform = new Platform(Map.of("game.dice.ttl.open", "PT6S", "game.dice.dm.grace", "PT8S"))) {
            runNode(platform, List.of(LIFECYCLE));
        }
    }

    private static List<String> scenarios() throws IOException {
        try (Stream<Path> files = Files.list(E2E)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("dice-") && n.endsWith(".test.mjs"))
                    .sorted().toList();
        }
    }

    private static void runNode(Platform platform, List<String> files) throws Exception {
        assertFalse(files.isEmpty());
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
        command.addAll(files);
        ProcessBuilder node = new ProcessBuilder(command).directory(E2E.toFile()).redirectErrorStream(true);
        node.environment().putAll(Map.of(
                "RF_BASE_URL", "http://127.0.0.1:" + platform.gateway.port(),
                "CHROMIUM_PATH", chromium));
        Process p = node.start();
        // Relay node's report through System.out (the test runner's channel), line by line as it comes.
        Thread relay = Thread.ofVirtual().start(() -> p.inputReader().lines().forEach(System.out::println));
        if (!p.waitFor(6, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the browser tests did not finish within 6 minutes");
        }
        relay.join(5_000);
        assertEquals(0, p.exitValue(), "a browser test failed (its output is above; screenshots in e2e/artifacts/)");
    }
}
