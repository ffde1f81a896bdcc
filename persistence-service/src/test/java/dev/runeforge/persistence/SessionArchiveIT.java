package dev.runeforge.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.runeforge.common.bus.BusHeaders;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.session.SessionHistory;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.testsupport.TestNats;
import dev.runeforge.testsupport.TestPostgres;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.impl.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event archive, session history and statistics over real NATS and PostgreSQL. Commits are published the way
 * game instances store them: the commit JSON plus the Rf-Game, Rf-Tally and Rf-Session headers (this module knows
 * no game).
 */
class SessionArchiveIT {
    private static final Duration T = Duration.ofSeconds(5);
    private static final String ALICE = "g-alice";
    private static final String BOB = "g-bob";

    private final String ns = TestNats.newNamespace();
    private final Subjects subjects = new Subjects(ns);
    private final TestPostgres.Database database = TestPostgres.newDatabase();
    private Connection nc;
    private long clock = 1_790_000_000_000L;

    @BeforeEach
    void connect() throws Exception {
        nc = TestNats.connectIn(ns);
        NatsClients.ensureStreams(nc, subjects);
    }

    @AfterEach
    void clean() throws Exception {
        nc.close();
        TestNats.deleteNamespace(ns);
    }

    private ServiceRuntime.Running start(String jdbcUrl) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of(
                "bus.namespace", ns,
                "admin.host", "127.0.0.1",
                "admin.port", "0",
                "db.url", jdbcUrl,
                "db.user", database.user(),
                "db.password", database.password()));
        return Main.start(ServiceConfig.load(TestNats.service(Main.SERVICE, config)));
    }

    private ServiceRuntime.Running start() throws Exception {
        return start(database.jdbcUrl());
    }

    /** A commit as a game instance stores it; {@code summary}/{@code tally} become headers when given. */
    private void publish(String session, long firstSeq, SessionSummary summary, Map<String, ?> tally,
                         Map<?, ?>... events) throws Exception {
        Map<String, Object> commit = Map.of("session", session, "game", "dice", "code", "WOLF-1234",
                "actionId", UUID.randomUUID().toString(), "actor", ALICE, "at", clock,
                "firstSeq", firstSeq, "events", List.of(events));
        Headers headers = new Headers().put(BusHeaders.GAME, "dice");
        if (tally != null) {
            headers.put(BusHeaders.TALLY, Json.text(tally));
        }
        if (summary != null) {
            headers.put(BusHeaders.SESSION, Json.text(summary));
        }
        // No message id: a copy of a commit reaches the projection as a second message, as a replay would.
        nc.jetStream().publish(subjects.events(session), headers, Json.bytes(commit));
    }

    private SessionSummary summary(String session, long seq, boolean closed, String... members) {
        return new SessionSummary(session, "dice", closed ? null : "WOLF-1234", ALICE,
                java.util.Arrays.stream(members).map(m -> new SessionSummary.Member(m, m.substring(2))).toList(),
                List.of(), closed, seq, clock);
    }

    private static Map<String, Object> rolled(String player) {
        return Map.of("type", "rolled", "roll", Map.of("id", UUID.randomUUID().toString().substring(0, 16),
                "player", player, "name", player.substring(2), "at", 1));
    }

    /** A whole short session: create, join, two rolls, bob leaves, the room closes (seq 1..6). */
    private void aSession(String session) throws Exception {
        publish(session, 1, summary(session, 1, false, ALICE), null,
                Map.of("type", "room_created", "code", "WOLF-1234", "at", clock));
        clock += 10;
        publish(session, 2, summary(session, 2, false, ALICE, BOB), null,
                Map.of("type", "player_joined", "player", Map.of("id", BOB, "name", "bob"), "at", clock));
        clock += 10;
        publish(session, 3, null, Map.of("3", Map.of(ALICE, Map.of("rolls", 1, "natural_20s", 1))), rolled(ALICE));
        publish(session, 4, null, Map.of("4", Map.of(BOB, Map.of("rolls", 1))), rolled(BOB));
        clock += 10;
        publish(session, 5, summary(session, 5, false, ALICE), null,
                Map.of("type", "player_left", "player", BOB, "at", clock));
        clock += 10;
        publish(session, 6, summary(session, 6, true, ALICE), null,
                Map.of("type", "room_closed", "reason", "ended", "at", clock));
    }

    private void awaitCaughtUp() throws Exception {
        Projections.awaitCaughtUp(nc, subjects, "projections", Duration.ofSeconds(30));
    }

    private long count(String sql) throws Exception {
        return Projections.count(database, sql);
    }

    private SessionHistory.Stats stats(String player) {
        return Rpc.request(nc, subjects.dbStatsGet(), new SessionHistory.PlayerQuery(player), SessionHistory.Stats.class, T);
    }

    private List<SessionSummary> mine(String player) {
        return Rpc.request(nc, subjects.dbSessionsMine(), new SessionHistory.PlayerQuery(player),
                SessionHistory.Sessions.class, T).sessions();
    }

    private SessionHistory.Events events(String session, Long after, Integer limit) {
        Map<String, Object> query = new HashMap<>(Map.of("session", session));
        if (after != null) {
            query.put("after", after);
        }
        if (limit != null) {
            query.put("limit", limit);
        }
        return Rpc.request(nc, subjects.dbEventsList(), query, SessionHistory.Events.class, T);
    }

    private static List<Long> seqs(SessionHistory.Events page) {
        return page.events().stream().map(SessionHistory.Event::seq).toList();
    }

    @Test
    void eventsAreArchivedOnceAndTalliedOnceHoweverOftenTheyArrive() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        try (ServiceRuntime.Running service = start()) {
            aSession(session);
            // Copies of stored commits (a writer's retry, a replay), among them an old summary arriving last.
            publish(session, 3, null, Map.of("3", Map.of(ALICE, Map.of("rolls", 1, "natural_20s", 1))), rolled(ALICE));
            publish(session, 2, summary(session, 2, false, ALICE, BOB), null,
                    Map.of("type", "player_joined", "player", Map.of("id", BOB, "name", "bob"), "at", clock));
            awaitCaughtUp();
            assertEquals(6, count("SELECT count(*) FROM session_events"));
            assertEquals(new SessionHistory.Stats(1, 1, 0), stats(ALICE));
            assertEquals(new SessionHistory.Stats(1, 0, 0), stats(BOB));
            assertEquals(SessionHistory.Stats.NONE, stats("g-nobody"), "zeros for a player never seen");

            List<SessionSummary> bobs = mine(BOB);
            assertEquals(1, bobs.size(), "a past member sees the session");
            SessionSummary s = bobs.getFirst();
            assertEquals(session, s.session());
            assertEquals("dice", s.game());
            assertTrue(s.closed());
            assertNull(s.code(), "a closed session's code is free");
            assertEquals(ALICE, s.host());
            assertEquals(List.of(new SessionSummary.Member(ALICE, "alice")), s.members(),
                    "the newest summary wins over an older one that arrived later");
            assertEquals(6, s.seq());
            assertEquals(List.of(), mine("g-nobody"));
        }

        // The consumer is lost and the whole log is projected again from the start.
        nc.jetStreamManagement().deleteConsumer(subjects.eventsStream(), "projections");
        try (ServiceRuntime.Running service = start()) {
            awaitCaughtUp();
            assertEquals(6, count("SELECT count(*) FROM session_events"), "a replay adds no event");
            assertEquals(new SessionHistory.Stats(1, 1, 0), stats(ALICE), "nor any statistic");
            assertEquals(new SessionHistory.Stats(1, 0, 0), stats(BOB));
            assertEquals(1, mine(ALICE).size());
        }
    }

    @Test
    void aCommitTwiceInOneBatchIsArchivedAndTalliedOnce() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        Map<String, Object> roll = rolled(ALICE);
        Map<String, ?> tally = Map.of("1", Map.of(ALICE, Map.of("rolls", 1, "natural_20s", 1)));
        // Both copies are in the stream before the projection starts: its first batch holds them both, and the one
        // statement that inserts the batch inserts the event once.
        publish(session, 1, null, tally, roll);
        publish(session, 1, null, tally, roll);
        try (ServiceRuntime.Running service = start()) {
            awaitCaughtUp();
            assertEquals(1, count("SELECT count(*) FROM session_events"));
            assertEquals(new SessionHistory.Stats(1, 1, 0), stats(ALICE), "the copy in the same batch adds nothing");
        }
    }

    @Test
    void eventsAreListedInPagesAndMySessionsNewestFirst() throws Exception {
        String older = "a" + UUID.randomUUID().toString().replace("-", "");
        String newer = "b" + UUID.randomUUID().toString().replace("-", "");
        String headerless = "c" + UUID.randomUUID().toString().replace("-", "");
        try (ServiceRuntime.Running service = start()) {
            // An unreadable message is skipped, never retried for ever: what follows is archived.
            nc.jetStream().publish(subjects.events(older), "not json".getBytes());
            aSession(older);
            // A commit stored before the headers existed: the game comes from its JSON.
            nc.jetStream().publish(subjects.events(headerless), Json.bytes(Map.of("session", headerless, "game",
                    "dice", "actionId", "g-alice:c", "at", clock, "firstSeq", 1,
                    "events", List.of(Map.of("type", "room_created")))));
            clock += 60_000;
            publish(newer, 1, summary(newer, 1, false, ALICE), null,
                    Map.of("type", "room_created", "code", "WOLF-1234", "at", clock));
            awaitCaughtUp();

            SessionHistory.Events first = events(older, null, 4);
            assertEquals("dice", first.game());
            assertEquals(List.of(1L, 2L, 3L, 4L), seqs(first));
            assertTrue(first.more());
            assertEquals("room_created", first.events().getFirst().body().path("type").asText());
            SessionHistory.Events rest = events(older, 4L, 4);
            assertEquals(List.of(5L, 6L), seqs(rest));
            assertFalse(rest.more());
            SessionHistory.Events past = events(older, 6L, null);
            assertEquals(List.of(), seqs(past));
            assertEquals("dice", past.game());
            assertFalse(past.more());
            assertEquals(ErrorCodes.NOT_FOUND, assertThrows(RpcException.class, () -> events("nosuch", null, null)).code());
            assertEquals(ErrorCodes.BAD_MESSAGE, assertThrows(RpcException.class, () -> events(older, null, 0)).code());
            assertEquals(ErrorCodes.BAD_MESSAGE,
                    assertThrows(RpcException.class, () -> events(older, null, SessionHistory.EVENTS_LIMIT + 1)).code());

            assertEquals("dice", events(headerless, null, null).game());
            assertEquals(List.of(1L), seqs(events(headerless, null, null)));

            List<SessionSummary> alices = mine(ALICE);
            assertEquals(List.of(newer, older), alices.stream().map(SessionSummary::session).toList());
            assertFalse(alices.getFirst().closed());
            assertEquals("WOLF-1234", alices.getFirst().code());
            assertEquals(List.of(older), mine(BOB).stream().map(SessionSummary::session).toList());
        }
    }

    @Test
    void aDatabaseOutageAndAProjectorRestartDelayTheArchiveAndLoseNothing() throws Exception {
        URI pg = URI.create(database.jdbcUrl().substring("jdbc:".length()));
        String session = UUID.randomUUID().toString().replace("-", "");
        try (TcpCut relay = new TcpCut(pg.getPort())) {
            String relayed = "jdbc:postgresql://127.0.0.1:" + relay.port() + pg.getPath();
            ServiceRuntime.Running service = start(relayed);
            try {
                publish(session, 1, summary(session, 1, false, ALICE), null,
                        Map.of("type", "room_created", "code", "WOLF-1234", "at", clock));
                awaitCaughtUp();

                relay.cut();
                for (int i = 0; i < 20; i++) {
                    publish(session, 2 + i, null, Map.of(Long.toString(2 + i), Map.of(ALICE, Map.of("rolls", 1))),
                            rolled(ALICE));
                }
                Thread.sleep(1500);
                assertEquals(ErrorCodes.UNAVAILABLE, assertThrows(RpcException.class, () -> stats(ALICE)).code());
                assertEquals(1, count("SELECT count(*) FROM session_events"), "nothing stored while down");
                // The projector stops while the database is down, then a new one starts.
                service.close();
                service = start(relayed);
                Thread.sleep(500);
                relay.mend();
                awaitCaughtUp();
                assertEquals(21, count("SELECT count(*) FROM session_events"));
                assertEquals(new SessionHistory.Stats(20, 0, 0), stats(ALICE));
                assertEquals(List.of(session), mine(ALICE).stream().map(SessionSummary::session).toList());
            } finally {
                service.close();
            }
        }
    }

    /**
     * The projection's pull can reach no one (seen once on a NATS cluster electing its leaders): here its consumer
     * is deleted under it and created again with events pending. The projector notices events pending with none
     * delivered, opens the consumer again and catches up; without that it would wait for events forever.
     */
    @Test
    void aConsumerLostUnderTheProjectorIsOpenedAgainAndLosesNothing() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        try (ServiceRuntime.Running service = start()) {
            publish(session, 1, summary(session, 1, false, ALICE), null,
                    Map.of("type", "room_created", "code", "WOLF-1234", "at", clock));
            awaitCaughtUp();
            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.deleteConsumer(subjects.eventsStream(), "projections");
            for (int i = 0; i < 5; i++) {
                publish(session, 2 + i, null, null, rolled(ALICE));
            }
            jsm.addOrUpdateConsumer(subjects.eventsStream(), ConsumerConfiguration.builder().durable("projections")
                    .filterSubject(subjects.eventsAll()).ackPolicy(AckPolicy.Explicit).deliverPolicy(DeliverPolicy.All)
                    .build());
            awaitCaughtUp();
            assertEquals(6, count("SELECT count(*) FROM session_events"));
        }
    }
}
