package dev.runeforge.common.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class SubjectsTest {
    @Test
    void subjectsFollowTheDesign() {
        Subjects s = new Subjects("rf");
        assertEquals("rf.act.7.abc", s.action(7, "abc"));
        assertEquals("rf.act.7.>", s.actionsOfPartition(7));
        assertEquals("rf.evt.abc", s.events("abc"));
        assertEquals("rf.out.abc.all", s.outAll("abc"));
        assertEquals("rf.out.abc.p.g-1", s.outPlayer("abc", "g-1"));
        assertEquals("rf.act.>", s.actionsAll());
        assertEquals("rf.game.owned", s.partitionsOwned());
        assertEquals("rf.game.suspect", s.ownerSuspect());
        assertEquals("RF_EVENTS", s.eventsStream());
        assertEquals("rf.auth.guest", s.authGuest());
    }

    @Test
    void sessionHistorySubjectsAreInTheirOwnersGroups() {
        Subjects s = new Subjects("rf");
        assertEquals("rf-sessions", s.sessionsBucket());
        assertEquals("rf.db.sessions.mine", s.dbSessionsMine());
        assertEquals("rf.db.stats.get", s.dbStatsGet());
        assertEquals("rf.db.events.list", s.dbEventsList());
        assertEquals("rf.game.replay", s.gameReplay());
        assertTrue(s.dbSessionsMine().startsWith(s.dbGroup() + "."));
        assertTrue(s.gameReplay().startsWith(s.gameGroup() + "."));
    }

    @Test
    void namespacesAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new Subjects("Rf"));
        assertThrows(IllegalArgumentException.class, () -> new Subjects("a.b"));
        assertEquals("TABC_EVENTS", new Subjects("tabc").eventsStream());
    }

    @Test
    void partitionIsStableAndSpread() {
        // Pinned values: every service and every version must map a session to the same partition.
        assertEquals(Partitions.of("session-1", 64), Partitions.of("session-1", 64));
        assertEquals(11, Partitions.of("abc", 64)); // FNV-1a 32 of "abc" is 0x1a47e90b
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < 64_000; i++) {
            counts.merge(Partitions.of(UUID.randomUUID().toString(), 64), 1, Integer::sum);
        }
        assertEquals(64, counts.size());
        counts.values().forEach(c -> assertTrue(c > 700 && c < 1300, "uneven partition: " + c));
    }
}
