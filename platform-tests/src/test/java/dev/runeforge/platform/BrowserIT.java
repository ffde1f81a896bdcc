package dev.runeforge.platform;

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
 * separate browser contexts share dice rooms, fight tactics encounters and play rock-paper-scissors. The platform runs in this JVM on real
 * NATS; the scenarios themselves are e2e/dice-*.test.mjs and the tactics files named below, run with Node's test
 * runner (one file at a time, one Chromium each).
 */
class BrowserIT {
    /** Scenarios that need a platform of their own (short room expiry and DM grace); the rest share one. */
    private static final String LIFECYCLE = "dice-lifecycle.test.mjs";
    /**
     * The other scenarios that run on the shared platform: a duel fought to the end, then replayed; every built-in
     * scenario on both screen sizes; a duel's end, rematch and public replay; the first page and the page shell
     * (names, offline, the PWA, the first load's size, axe-core); the browser's name rule against the server's
     * cases. (The tactics fold and movement are the SDK's, tested by ClientSdkIT.)
     */
    private static final List<String> TACTICS = List.of("tactics-play.test.mjs", "tactics-replay.test.mjs",
            "tactics-screen.test.mjs", "tactics-rematch.test.mjs", "pages.test.mjs", "names.test.mjs");
    /** Rock-paper-scissors, played by two browsers on a platform of its own. */
    private static final String RPS = "rps-play.test.mjs";

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
            BrowserTests.run(platform, files, Map.of(), Duration.ofMinutes(15));
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

    /**
     * Rock-paper-scissors, the worked example of docs/games.md: two browsers play a whole best-of-3 match (secret
     * choices that the opponent's socket never carries before the reveal, a draw, the match won), then a rematch.
     */
    @Test
    void twoPlayersPlayRockPaperScissorsInTheBrowser() throws Exception {
        assertTrue(Files.isRegularFile(BrowserTests.E2E.resolve(RPS)), RPS + " is missing");
        try (Platform platform = new Platform(Map.of())) {
            BrowserTests.run(platform, List.of(RPS), Map.of(), Duration.ofMinutes(4));
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
