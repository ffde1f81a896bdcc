package dev.runeforge.game.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The views of recent commits, as sent, replayed to a player who missed some. */
class RecentViewsTest {
    private static RecentViews.View shared(long seq) {
        return new RecentViews.View(null, seq, ("s" + seq).getBytes());
    }

    private static RecentViews.View to(String player, long seq) {
        return new RecentViews.View(player, seq, (player + seq).getBytes());
    }

    private static List<String> read(List<RecentViews.View> views) {
        return views.stream().map(v -> new String(v.json())).toList();
    }

    @Test
    void aNegativeCapacityIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RecentViews(-1));
    }

    @Test
    void withNoCapacityNothingIsKeptAndOnlyAnUpToDatePlayerNeedsNothing() {
        RecentViews views = new RecentViews(0);
        views.add(1, 1, List.of(shared(1)));
        assertEquals(0, views.size());
        assertEquals(List.of(), views.newest());
        assertEquals(List.of(), views.since(1, 1, "a"));
        assertNull(views.since(0, 1, "a"));
    }

    @Test
    void aPlayerGetsWhatWasSentToEveryoneAndToThemAfterTheirLastSeqInOrder() {
        RecentViews views = new RecentViews(8);
        views.add(1, 1, List.of(shared(1)));
        views.add(2, 3, List.of(to("a", 2), to("b", 2), shared(3)));
        views.add(4, 4, List.of(to("b", 4), to("a", 4)));
        assertEquals(List.of("s1", "a2", "s3", "a4"), read(views.since(0, 4, "a")));
        assertEquals(List.of("s3", "b4"), read(views.since(2, 4, "b")), "not the part of a commit it had");
        assertEquals(List.of("a4"), read(views.since(3, 4, "a")), "older commits are not looked at");
        assertEquals(List.of(), views.since(4, 4, "a"));
        assertEquals(List.of("b4", "a4"), read(views.newest()));
        assertEquals(3, views.size());
    }

    @Test
    void aClaimBeyondTheCurrentSeqOrAGapInWhatIsHeldAsksForAFreshView() {
        RecentViews views = new RecentViews(2);
        assertNull(views.since(0, 1, "a"), "nothing held");
        views.add(1, 1, List.of(shared(1)));
        views.add(2, 2, List.of(shared(2)));
        views.add(3, 3, List.of(shared(3)));
        assertEquals(2, views.size(), "bounded: the oldest commit went");
        assertNull(views.since(0, 3, "a"), "seq 1 is no longer held");
        assertEquals(List.of("s2", "s3"), read(views.since(1, 3, "a")));
        assertNull(views.since(5, 3, "a"), "events that do not exist");
        assertNull(views.since(1, 4, "a"), "held views stop short of the current seq");
    }

    @Test
    void aCommitThatDoesNotFollowWhatIsHeldStartsAgainFromIt() {
        RecentViews views = new RecentViews(4);
        views.add(1, 1, List.of(shared(1)));
        views.add(5, 6, List.of(shared(5), shared(6)));
        assertEquals(1, views.size());
        assertNull(views.since(0, 6, "a"));
        assertEquals(List.of("s5", "s6"), read(views.since(4, 6, "a")));
    }
}
