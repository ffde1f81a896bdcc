package dev.runeforge.common.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.runeforge.common.json.Json;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.testsupport.TestBus;
import io.nats.client.KeyValue;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code <ns>-sessions} contract against a real NATS: its readers, its compare-and-set writer, its watch. */
class SessionsBucketIT {
    private static final SessionSummary.Member ALICE = new SessionSummary.Member("g-alice", "Alice");
    private static final SessionSummary.Member BOB = new SessionSummary.Member("g-bob", "Bob");

    @RegisterExtension
    final TestBus bus = new TestBus();

    private KeyValue bucket() throws Exception {
        return NatsClients.ensureSessions(bus.nc(), bus.subjects(), 1, Duration.ofMinutes(5));
    }

    private static SessionSummary summary(String session, long seq, SessionSummary.Member... members) {
        return new SessionSummary(session, "dice", "WOLF-RUNE-0001", ALICE.id(), List.of(members), List.of(), false,
                seq, 1_000 + seq);
    }

    @Test
    void aLazyReaderFindsNothingUntilAGameInstanceCreatedTheBucketThenWhatItWrote() throws Exception {
        SessionsBucket gateway = SessionsBucket.lazy(bus.nc(), bus.subjects());
        assertEquals(Optional.empty(), gateway.find("s1"), "no bucket yet: no session, no error");
        SessionsBucket.Writer game = SessionsBucket.of(bucket()).writer();
        SessionSummary written = summary("s1", 3, ALICE, BOB);
        game.publish(written);
        assertEquals(Optional.of(written), gateway.find("s1"));
        assertEquals(Optional.empty(), gateway.find("s2"));
    }

    @Test
    void aDeletedEntryIsNoSessionAndAValueThatIsNotTheKeysSummaryIsATypedError() throws Exception {
        KeyValue kv = bucket();
        SessionsBucket reader = SessionsBucket.of(kv);
        kv.put("s1", Json.bytes(summary("s1", 1, ALICE)));
        kv.delete("s1");
        assertEquals(Optional.empty(), reader.find("s1"));
        kv.put("s2", "not json".getBytes(StandardCharsets.UTF_8));
        assertThrows(SessionsBucket.UnreadableSummary.class, () -> reader.find("s2"));
        kv.put("s3", Json.bytes(summary("s4", 1, ALICE)));
        SessionsBucket.UnreadableSummary other = assertThrows(SessionsBucket.UnreadableSummary.class,
                () -> reader.find("s3"));
        assertTrue(other.getMessage().contains("names session s4"), other.getMessage());
    }

    @Test
    void aStaleOwnerCannotRollTheEntryBackButANewerSummaryReplacesWhatAnotherWrote() throws Exception {
        KeyValue kv = bucket();
        SessionsBucket reader = SessionsBucket.of(kv);
        SessionsBucket.Writer old = SessionsBucket.of(kv).writer();
        SessionsBucket.Writer current = SessionsBucket.of(kv).writer();
        old.publish(summary("s1", 2, ALICE));
        current.publish(summary("s1", 5, ALICE, BOB)); // a create that finds the entry: compare-and-set on what is there
        assertEquals(5, reader.find("s1").orElseThrow().seq());
        old.publish(summary("s1", 4, BOB)); // fenced out since: its late write must not win
        assertEquals(summary("s1", 5, ALICE, BOB), reader.find("s1").orElseThrow());
        old.publish(summary("s1", 9, BOB)); // a later event than the entry's: it is written over the other's revision
        assertEquals(summary("s1", 9, BOB), reader.find("s1").orElseThrow());
    }

    @Test
    void aWriterWritesOnlyWhatChangedAndLoadingRepairsAMissingEntryButNotAClosedOne() throws Exception {
        KeyValue kv = bucket();
        SessionsBucket reader = SessionsBucket.of(kv);
        SessionsBucket.Writer game = SessionsBucket.of(kv).writer();
        SessionSummary first = summary("s1", 2, ALICE);
        game.publish(first);
        long revision = kv.get("s1").getRevision();
        SessionSummary roll = summary("s1", 3, ALICE); // the same members, a later event
        assertFalse(game.changes(roll));
        game.publish(roll);
        assertEquals(revision, kv.get("s1").getRevision(), "nothing the directory shows changed: no write");

        SessionsBucket.Writer takeover = SessionsBucket.of(kv).writer();
        kv.delete("s1");
        takeover.loaded(summary("s1", 4, ALICE, BOB));
        assertEquals(4, reader.find("s1").orElseThrow().seq(), "a loaded session's missing entry is written");
        SessionSummary closed = new SessionSummary("s2", "dice", null, null, List.of(), List.of(), true, 9, 9);
        takeover.loaded(closed);
        assertEquals(Optional.empty(), reader.find("s2"), "a closed session whose entry aged out stays out");
        takeover.loaded(summary("s1", 4, ALICE, BOB));
        assertFalse(takeover.changes(summary("s1", 6, ALICE, BOB)), "loading learnt what the entry holds");
    }

    @Test
    void aWatchGivesEveryEntryThenEachChangeAndSkipsUnreadableValues() throws Exception {
        KeyValue kv = bucket();
        kv.put("s1", Json.bytes(summary("s1", 1, ALICE)));
        kv.put("s2", "{".getBytes(StandardCharsets.UTF_8));
        LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
        NatsKeyValueWatchSubscription watch = SessionsBucket.of(kv).watch(new SessionsBucket.Watcher() {
            @Override
            public void written(String session, SessionSummary summary) {
                seen.add("written " + session + " " + summary.members().size());
            }

            @Override
            public void removed(String session) {
                seen.add("removed " + session);
            }

            @Override
            public void caughtUp() {
                seen.add("caught up");
            }
        });
        try {
            assertEquals("written s1 1", seen.poll(5, TimeUnit.SECONDS));
            assertEquals("caught up", seen.poll(5, TimeUnit.SECONDS), "the unreadable s2 is skipped");
            kv.put("s1", Json.bytes(summary("s1", 2, ALICE, BOB)));
            assertEquals("written s1 2", seen.poll(5, TimeUnit.SECONDS));
            kv.delete("s1");
            assertEquals("removed s1", seen.poll(5, TimeUnit.SECONDS));
        } finally {
            watch.unsubscribe();
        }
    }

    @Test
    void twoSummariesAreTheSameWhenTheyShowTheSameWhateverTheirEvent() {
        assertTrue(SessionsBucket.same(summary("s1", 1, ALICE), summary("s1", 7, ALICE)));
        assertFalse(SessionsBucket.same(summary("s1", 1, ALICE), summary("s1", 1, ALICE, BOB)));
        assertFalse(SessionsBucket.same(null, summary("s1", 1, ALICE)));
        assertTrue(SessionsBucket.same(null, null));
    }
}
