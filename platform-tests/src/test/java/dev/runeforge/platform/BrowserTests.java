package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs browser scenarios from e2e/ (Node's test runner, playwright-core, Debian's headless Chromium) against a
 * platform started in this JVM, relaying their report to the test output. ./run-tests.sh provisions both tools.
 */
final class BrowserTests {
    static final Path E2E = Path.of("..").toAbsolutePath().normalize().resolve("e2e");

    private BrowserTests() {
    }

    /** Fails with a message saying how to get them when node's packages or Chromium are missing. */
    static String chromium() {
        assertTrue(Files.isDirectory(E2E.resolve("node_modules/playwright-core")),
                "e2e/node_modules is missing: ./run-tests.sh provisions it (npm ci --prefix e2e)");
        String chromium = System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium");
        assertTrue(Files.isExecutable(Path.of(chromium)),
                chromium + " is missing: ./run-tests.sh provisions it (apt-get install chromium)");
        return chromium;
    }

    /** Runs {@code files} with {@code env} added to RF_BASE_URL and CHROMIUM_PATH; fails unless all pass in time. */
    static void run(Platform platform, List<String> files, Map<String, String> env, Duration limit) throws Exception {
        assertFalse(files.isEmpty());
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
        command.addAll(files);
        ProcessBuilder node = new ProcessBuilder(command).directory(E2E.toFile()).redirectErrorStream(true);
        Map<String, String> all = new HashMap<>(env);
        all.put("RF_BASE_URL", "http://127.0.0.1:" + platform.gateway.port());
        all.put("CHROMIUM_PATH", chromium());
        node.environment().putAll(all);
        Process p = node.start();
        // Relay node's report through System.out (the test runner's channel), line by line as it comes.
        Thread relay = Thread.ofVirtual().start(() -> p.inputReader().lines().forEach(System.out::println));
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the browser tests did not finish within " + limit);
        }
        relay.join(5_000);
        assertEquals(0, p.exitValue(), "a browser test failed (its output is above; screenshots in e2e/artifacts/)");
    }
}
