package dev.runeforge.game.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The applied-ids set: a value whose versions share one log without seeing each other's keys. */
class RecentIdsTest {
    private static RecentIds withKeys(RecentIds start, int from, int to) {
        RecentIds ids = start;
        for (int i = from; i < to; i++) {
            ids = ids.with("k" + i);
        }
        return ids;
    }

    @Test
    void aRepeatedIdIsRecognisedAndAddingItAgainReturnsTheSameSet() {
        RecentIds empty = new RecentIds();
        assertFalse(empty.contains("a"));
        assertEquals(0, empty.size());
        RecentIds one = empty.with("a");
        assertTrue(one.contains("a"));
        assertFalse(one.contains("b"));
        assertSame(one, one.with("a"));
        assertEquals(1, one.size());
        assertEquals(List.of("a"), one.toList());
    }

    @Test
    void anOlderVersionDoesNotSeeKeysAddedAfterIt() {
        RecentIds one = new RecentIds().with("a");
        RecentIds two = one.with("b");
        assertFalse(one.contains("b"));
        assertTrue(two.contains("b"));
        assertEquals(List.of("a"), one.toList());
        assertEquals(List.of("a", "b"), two.toList());
    }

    @Test
    void addingToAnOlderVersionLeavesTheNewerOneAsItWas() {
        RecentIds one = new RecentIds().with("a");
        RecentIds two = one.with("b");
        RecentIds branch = one.with("c");
        assertEquals(List.of("a", "c"), branch.toList());
        assertFalse(branch.contains("b"));
        assertEquals(List.of("a", "b"), two.toList());
        assertFalse(two.contains("c"));
        assertEquals(List.of("a", "b", "d"), two.with("d").toList());
    }

    @Test
    void onlyTheNewestCapacityKeysAreRemembered() {
        RecentIds ids = withKeys(new RecentIds(), 0, RecentIds.CAPACITY + 1);
        assertFalse(ids.contains("k0"), "the oldest fell out");
        assertTrue(ids.contains("k1"));
        assertTrue(ids.contains("k" + RecentIds.CAPACITY));
        assertEquals(RecentIds.CAPACITY, ids.size());
        assertEquals(RecentIds.CAPACITY, ids.toList().size());
        assertEquals("k1", ids.toList().getFirst());
        assertTrue(ids.with("k0").contains("k0"), "a key that fell out counts as new again");
    }

    @Test
    void aLongSharedLogStartsAgainWithTheNewestKeys() {
        RecentIds ids = withKeys(new RecentIds(), 0, 4 * RecentIds.CAPACITY + 2);
        List<String> newest = IntStream.range(3 * RecentIds.CAPACITY + 2, 4 * RecentIds.CAPACITY + 2)
                .mapToObj(i -> "k" + i).toList();
        assertEquals(newest, ids.toList());
        assertEquals(RecentIds.CAPACITY, ids.size());
        assertFalse(ids.contains("k" + (3 * RecentIds.CAPACITY + 1)));
        assertTrue(ids.contains("k" + (3 * RecentIds.CAPACITY + 2)));
    }

    @Test
    void readFromASnapshotItKeepsTheNewestKeysOnceEach() {
        assertEquals(List.of("a", "b"), RecentIds.of(List.of("a", "b", "a")).toList());
        List<String> many = new ArrayList<>();
        IntStream.range(0, RecentIds.CAPACITY + 5).forEach(i -> many.add("k" + i));
        RecentIds ids = RecentIds.of(many);
        assertEquals(many.subList(5, many.size()), ids.toList());
        assertFalse(ids.contains("k4"));
        assertTrue(ids.contains("k5"));
        assertEquals(RecentIds.CAPACITY, ids.size());
        assertTrue(ids.with("new").contains("new"));
    }
}
