package dev.runeforge.game.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The rate limits' bookkeeping ({@link Chat#recent}, {@link Chat#wait}): what each action keeps and copies. */
class ChatRecentTest {
    private static final Duration WINDOW = Duration.ofSeconds(10);

    @Test
    void theActorsExpiredTimesAreDroppedAndTheNewOneAdded() {
        // A time exactly a window old (4 s at 14 s) is out of it.
        Map<String, List<Long>> times = Map.of("ada", List.of(1_000L, 4_000L, 5_000L, 12_000L));
        Map<String, List<Long>> next = Chat.recent(times, "ada", 14_000, WINDOW);
        assertEquals(Map.of("ada", List.of(5_000L, 12_000L, 14_000L)), next);
    }

    @Test
    void anotherPlayersTimesAreKeptAsTheyAreWhileTheirNewestIsInTheWindow() {
        List<Long> bob = List.of(1_000L, 2_000L, 9_000L);
        Map<String, List<Long>> next = Chat.recent(Map.of("bob", bob), "ada", 14_000, WINDOW);
        assertSame(bob, next.get("bob"), "not copied, not pruned: only the actor's own list is rebuilt");
        assertEquals(List.of(14_000L), next.get("ada"));
    }

    @Test
    void aPlayerWhoseNewestTimeLeftTheWindowIsDropped() {
        Map<String, List<Long>> times = Map.of("bob", List.of(1_000L, 4_000L), "cy", List.of(), "dee", List.of(4_001L));
        Map<String, List<Long>> next = Chat.recent(times, "ada", 14_000, WINDOW);
        assertEquals(Map.of("ada", List.of(14_000L), "dee", List.of(4_001L)), next);
    }

    @Test
    void waitCountsOnlyTheTimesWithinTheWindow() {
        // bob's list still holds times from before the window (kept as they were while others acted).
        Map<String, List<Long>> times = Map.of("bob", List.of(1_000L, 2_000L, 9_000L, 12_000L));
        assertEquals(Optional.empty(), Chat.wait(times, "bob", 14_000, 3, WINDOW), "two in the window, three allowed");
        assertEquals(Optional.of(5L), Chat.wait(times, "bob", 14_000, 2, WINDOW),
                "two in the window: the older (9 s) leaves it at 19 s, 5 s from now");
        assertEquals(Optional.empty(), Chat.wait(times, "ada", 14_000, 1, WINDOW), "nothing kept for ada");
        assertTrue(Chat.wait(times, "bob", 14_000, 1, WINDOW).isPresent());
    }
}
