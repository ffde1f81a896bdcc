package dev.runeforge.common.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.json.Json;
import org.junit.jupiter.api.Test;

/** The session history contracts (docs/protocol.md, Sessions on the bus): their JSON as the other services see it. */
class SessionHistoryTest {
    private static <T> T roundTrip(T value, Class<T> type) {
        return Json.read(Json.bytes(value), type);
    }

    @Test
    void aSummaryRoundTripsAndLeavesOutAFreedCode() {
        SessionSummary open = new SessionSummary("s1", "dice", "WOLF-1234", "g-a",
                List.of(new SessionSummary.Member("g-a", "Ada"), new SessionSummary.Member("g-b", "Bob")),
                List.of("g-c"), false, 7, 1_790_000_000_000L);
        assertEquals(open, roundTrip(open, SessionSummary.class));
        assertTrue(open.isMember("g-b"));
        assertFalse(open.isMember("g-c"));
        assertTrue(open.isBarred("g-c"));
        SessionSummary closed = new SessionSummary("s1", "dice", null, null, null, null, true, 9, 1);
        assertFalse(Json.text(closed).contains("\"code\""), Json.text(closed));
        assertEquals(List.of(), roundTrip(closed, SessionSummary.class).members());
    }

    @Test
    void statsUseTheProtocolsFieldNames() {
        SessionHistory.Stats stats = new SessionHistory.Stats(12, 2, 1);
        assertEquals(Map.of("rolls", 12, "natural_20s", 2, "encounters_won", 1),
                Json.read(Json.bytes(stats), Map.class));
        assertEquals(stats, roundTrip(stats, SessionHistory.Stats.class));
        assertEquals(new SessionHistory.Stats(0, 0, 0), SessionHistory.Stats.NONE);
    }

    @Test
    void queriesAreValidatedAndDefaulted() {
        assertThrows(IllegalArgumentException.class, () -> Json.read("{}", SessionHistory.PlayerQuery.class));
        assertEquals("g-a", Json.read("{\"player\":\"g-a\"}", SessionHistory.PlayerQuery.class).player());
        SessionHistory.EventsQuery q = Json.read("{\"session\":\"s1\"}", SessionHistory.EventsQuery.class);
        assertEquals(0, q.afterOrZero());
        assertEquals(SessionHistory.EVENTS_LIMIT, q.limitOrDefault());
        assertEquals(3, Json.read("{\"session\":\"s1\",\"limit\":3}", SessionHistory.EventsQuery.class).limitOrDefault());
        assertThrows(IllegalArgumentException.class,
                () -> Json.read("{\"session\":\"s1\",\"limit\":0}", SessionHistory.EventsQuery.class));
        assertThrows(IllegalArgumentException.class,
                () -> Json.read("{\"session\":\"s1\",\"after\":-1}", SessionHistory.EventsQuery.class));
        assertThrows(IllegalArgumentException.class, () -> Json.read("{}", SessionHistory.EventsQuery.class));
        SessionHistory.ReplayQuery r = Json.read("{\"session\":\"s1\"}", SessionHistory.ReplayQuery.class);
        assertEquals(0, r.afterOrZero());
        assertEquals(null, r.viewer());
        assertEquals(new SessionHistory.ReplayQuery("s1", "g-a", null), new SessionHistory.ReplayQuery("s1", "g-a"));
        assertThrows(IllegalArgumentException.class,
                () -> Json.read("{\"session\":\"s1\",\"after\":-2}", SessionHistory.ReplayQuery.class));
        assertThrows(IllegalArgumentException.class, () -> Json.read("{\"viewer\":\"g\"}", SessionHistory.ReplayQuery.class));
    }

    @Test
    void pagesOfEventsAndReplaysRoundTrip() {
        SessionHistory.Events events = new SessionHistory.Events("dice",
                List.of(new SessionHistory.Event(1, Json.tree(Map.of("type", "room_created")))), true);
        assertEquals(events, roundTrip(events, SessionHistory.Events.class));
        SessionHistory.Replay replay = new SessionHistory.Replay("s1", "dice", List.of(new SessionHistory.Step(1,
                Json.tree(Map.of("type", "room_created")), Json.tree(Map.of("code", "WOLF-1234")))), false);
        assertEquals(replay, roundTrip(replay, SessionHistory.Replay.class));
        SessionHistory.Sessions sessions = new SessionHistory.Sessions(List.of(
                new SessionSummary("s1", "dice", null, null, null, null, true, 2, 3)));
        assertEquals(sessions, roundTrip(sessions, SessionHistory.Sessions.class));
        assertEquals(List.of(), new SessionHistory.Sessions(null).sessions());
    }

    @Test
    void endIsAnActionKindSomeoneWaitsFor() {
        assertFalse(BusAction.Kind.END.quiet());
        BusAction end = new BusAction("e1", BusAction.Kind.END, "s1", "g-a", "Ada", null, null, null, 0);
        assertEquals(end, Json.read(Json.bytes(end), BusAction.class));
    }
}
