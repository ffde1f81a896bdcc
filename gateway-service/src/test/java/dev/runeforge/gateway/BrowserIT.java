package dev.runeforge.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The browser client in real headless Chromium (Debian's, driven by playwright-core from e2e/): two players in
 * two browser contexts share a room and see the same rolls. The platform runs in this JVM on real NATS; the
 * scenario itself is e2e/dice-room.test.mjs, run with Node's test runner.
 */
class BrowserIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void twoBrowsersShareADiceRoom() throws Exception {
        Path e2e = ROOT.resolve("e2e");
        assertTrue(Files.isDirectory(e2e.resolve("node_modules/playwright-core")),
                "e2e/node_modules is missing: ./run-tests.sh provisions it (npm ci --prefix e2e)");
        String chromium = System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium");
        assertTrue(Files.isExecutable(Path.of(chromium)),
                chromium + " is missing: ./run-tests.sh provisions it (apt-get install chromium)");
        try (Platform platform = new Platform()) {
            ProcessBuilder node = new ProcessBuilder("node", "--test", "--test-reporter=spec", "dice-room.test.mjs")
                    .directory(e2e.toFile())
                    .redirectErrorStream(true);
            node.environment().putAll(Map.of(
                    "RF_BASE_URL", "http://127.0.0.1:" + platform.gateway.port(),
                    "CHROMIUM_PATH", chromium));
            Process p = node.start();
            // Relay node's report through System.out (the test runner's channel), line by line as it comes.
            Thread relay = Thread.ofVirtual().start(() -> p.inputReader().lines().forEach(System.out::println));
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("the browser test did not finish within 3 minutes");
            }
            relay.join(5_000);
            assertEquals(0, p.exitValue(), "the browser test failed (its output is above; screenshots in e2e/artifacts/)");
        }
    }
}
