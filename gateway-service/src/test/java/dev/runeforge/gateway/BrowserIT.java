package dev.runeforge.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The browser client in real headless Chromium (Debian's, driven by playwright-core from e2e/): players in
 * separate browser contexts share dice rooms and fight tactics encounters. The platform runs in this JVM on real
 * NATS; the scenarios themselves are e2e/dice-*.test.mjs and the tactics files named below, run with Node's test
 * runner (one file at a time, one Chromium each).
 */
class BrowserIT {
    /** Scenarios that need a platform of their own (short room expiry and DM grace); the rest share one. */
    private static final String LIFECYCLE = "dice-lifecycle.test.mjs";
    /** The tactics scenarios that run on the shared platform: a duel fought to the end, then replayed. */
    private static final List<String> TACTICS = List.of("tactics-client.test.mjs", "tactics-play.test.mjs",
            "tactics-replay.test.mjs");

    @BeforeAll
    static void tools() {
        BrowserTests.chromium();
    }

    /**
     * Create/join/roll, DM-led rooms (hidden rolls, reveal, DC), promotion and history paging, reconnecting after
     * the network drops, notation and errors, kicks, phone layout; and a tactics duel fought to the end by two
     * browsers, then stepped through in the replay by a third. Tests roll faster than players do, so the roll
     * limit and the socket's message budget are raised.
     */
    @Test
    void diceRoomScenariosInRealBrowsers() throws Exception {
        List<String> dice = scenarios().stream().filter(f -> !f.equals(LIFECYCLE)).toList();
        assertTrue(dice.size() >= 5, "expected the dice-*.test.mjs scenarios, found " + dice);
        for (String t : TACTICS) {
            assertTrue(Files.isRegularFile(BrowserTests.E2E.resolve(t)), t + " is missing");
        }
        List<String> files = Stream.concat(dice.stream(), TACTICS.stream()).toList();
        try (Platform platform = new Platform(Map.of("game.dice.rolls.limit", "1000",
                "gateway.rate.burst", "1000", "gateway.rate.refill", "1000"))) {
            BrowserTests.run(platform, files, Map.of(), Duration.ofMinutes(6));
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
            BrowserTests.run(platform, List.of(LIFECYCLE), Map.of(), Duration.ofMinutes(6));
        }
    }

    private static List<String> scenarios() throws IOException {
        try (Stream<Path> files = Files.list(BrowserTests.E2E)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("dice-") && n.endsWith(".test.mjs"))
                    .sorted().toList();
        }
    }
}
