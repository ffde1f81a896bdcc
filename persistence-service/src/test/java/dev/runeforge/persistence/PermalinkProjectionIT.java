package dev.runeforge.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.runeforge.common.bus.Commit;
import dev.runeforge.common.bus.EventsStream;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.permalink.Permalink;
import dev.runeforge.common.permalink.PublicRoll;
import dev.runeforge.common.permalink.RollFact;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.persistence.permalink.PermalinkStore;
import dev.runeforge.persistence.permalink.PlacedRoll;
import dev.runeforge.testsupport.TestNats;
import dev.runeforge.testsupport.TestPostgres;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.impl.NatsMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The permalink projection over real NATS and PostgreSQL: commits are published to the events stream the way
 * game instances store them (the JSON of docs/protocol.md; this module does not know game-instance-service).
 */
class PermalinkProjectionIT {
    private static final Duration T = Duration.ofSeconds(5);

    private final String ns = TestNats.newNamespace();
    private final Subjects subjects = new Subjects(ns);
    private final TestPostgres.Database database = TestPostgres.newDatabase();
    private Connection nc;

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

    private ServiceRuntime.Running start(Map<String, String> extra) throws Exception {
        Map<String, String> config = new java.util.HashMap<>(Map.of(
                "bus.namespace", ns,
                "admin.host", "127.0.0.1",
                "admin.port", "0",
                "db.url", database.jdbcUrl(),
                "db.user", database.user(),
                "db.password", database.password()));
        config.putAll(extra);
        return Main.start(ServiceConfig.load(TestNats.service(Main.SERVICE, config)));
    }

    static String rollId() {
        byte[] b = new byte[12];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static Map<String, Object> roll(String id, boolean hidden, long at) {
        Map<String, Object> roll = new java.util.HashMap<>(Map.of("id", id, "action", "g-1:" + id, "player", "g-1",
                "name", "Ada", "formula", "4d6kh3+1", "modifier", 1, "total", 13, "at", at, "hidden", hidden));
        roll.put("terms", List.of(Map.of("sign", 1, "count", 4, "sides", 6, "notation", "4d6kh3", "subtotal", 12,
                "dice", List.of(Map.of("value", 5, "kept", true, "exploded", false),
                        Map.of("value", 1, "kept", false, "exploded", false),
                        Map.of("value", 4, "kept", true, "exploded", false),
                        Map.of("value", 3, "kept", true, "exploded", false)))));
        return roll;
    }

    private void publish(String session, long firstSeq, Object... events) throws Exception {
        Map<String, Object> commit = Map.of("session", session, "game", "dice", "code", "WOLF-1234",
                "actionId", UUID.randomUUID().toString(), "actor", "g-1", "at", System.currentTimeMillis(),
                "firstSeq", firstSeq, "events", List.of(events));
        // No message id: a copy of a commit must reach the projection as a second message, as a replay would.
        nc.jetStream().publish(subjects.events(session), Json.bytes(commit));
    }

    private void awaitCaughtUp() throws Exception {
        Projections.awaitCaughtUp(nc, subjects, "projections", Duration.ofSeconds(20));
    }

    private long count(String sql) throws Exception {
        return Projections.count(database, sql);
    }

    private Permalink get(String id) {
        return Rpc.request(nc, subjects.dbPermalinkGet(), new Permalink.Get(id), Permalink.class, T);
    }

    private String getCode(String id) {
        return assertThrows(RpcException.class, () -> get(id)).code();
    }

    /**
     * A deployment that had a consumer per projection moves to the one consumer without projecting anything twice
     * or skipping anything: it starts where the slower former consumer had got to, and the former ones go.
     */
    @Test
    void theFormerPerProjectionConsumersAreReplacedFromWhereTheSlowerOneStood() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        long at = System.currentTimeMillis();
        NatsClients.ensureStreams(nc, subjects);
        // Two rolls already projected by the former consumers (the slower one, "archive", acked only the first),
        // then a third nobody has seen.
        String first = rollId();
        String second = rollId();
        String third = rollId();
        publish(session, 1, Map.of("type", "rolled", "roll", roll(first, false, at)));
        publish(session, 2, Map.of("type", "rolled", "roll", roll(second, false, at)));
        var jsm = nc.jetStreamManagement();
        for (String former : List.of("permalinks", "archive")) {
            jsm.addOrUpdateConsumer(subjects.eventsStream(), io.nats.client.api.ConsumerConfiguration.builder()
                    .durable(former).filterSubject(subjects.eventsAll())
                    .ackPolicy(io.nats.client.api.AckPolicy.Explicit).build());
            var sub = nc.jetStream().subscribe(null, io.nats.client.PullSubscribeOptions.bind(subjects.eventsStream(), former));
            List<io.nats.client.Message> got = sub.fetch(former.equals("archive") ? 1 : 2, Duration.ofSeconds(5));
            for (io.nats.client.Message m : got) {
                m.ackSync(Duration.ofSeconds(5));
            }
            sub.unsubscribe();
        }
        publish(session, 3, Map.of("type", "rolled", "roll", roll(third, false, at)));
        try (ServiceRuntime.Running service = start(Map.of())) {
            awaitCaughtUp();
            assertFalse(jsm.getConsumerNames(subjects.eventsStream()).contains("permalinks"), "the former consumers go");
            assertFalse(jsm.getConsumerNames(subjects.eventsStream()).contains("archive"));
            var info = jsm.getConsumerInfo(subjects.eventsStream(), "projections");
            assertEquals(2, info.getDelivered().getConsumerSequence(),
                    "it delivered the second and third events only: it started where the slower former consumer stood");
        }
        assertEquals(0, count("SELECT count(*) FROM roll_permalinks WHERE id = '" + first + "'"),
                "the first roll was not projected again (the former permalinks rows are not in this fresh database)");
        assertEquals(1, count("SELECT count(*) FROM roll_permalinks WHERE id = '" + second + "'"));
        assertEquals(1, count("SELECT count(*) FROM roll_permalinks WHERE id = '" + third + "'"));
    }

    /**
     * A game this service has never heard of gets permalinks for the rolls it declares (issue 19): what counts is
     * the commit's {@code Rf-Rolls}, not its events' names. A commit of this version that declares nothing has none,
     * even with an event called {@code rolled}.
     */
    @Test
    void aNewGamesDeclaredRollsGetPermalinksAndUndeclaredEventsNone() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        String declared = rollId();
        String undeclared = rollId();
        long at = System.currentTimeMillis();
        NatsClients.ensureStreams(nc, subjects);
        Commit throwing = new Commit(session, "axes", "AXE-AXE-0001", "g-1:t", "g-1", at, 1,
                List.of(Json.tree(Map.of("type", "axe_thrown", "by", "g-1", "hit", 9))));
        RollFact.Rolled hit = new RollFact.Rolled(declared, "Ada", "1d12", List.of(new PublicRoll.Term(1, 1, 12,
                "1d12", List.of(new PublicRoll.Die(9, true, false)), 9)), 0, 9, null, null, false, at, "Axe", null);
        nc.jetStream().publish(subjects.events(session), EventsStream.headers(throwing,
                new EventsStream.Declared(Map.of(), Map.of(1L, hit)), null), EventsStream.body(throwing));
        Commit unnamed = new Commit(session, "axes", "AXE-AXE-0001", "g-1:u", "g-1", at, 2,
                List.of(Json.tree(Map.of("type", "rolled", "roll", roll(undeclared, false, at)))));
        nc.jetStream().publish(subjects.events(session),
                EventsStream.headers(unnamed, EventsStream.Declared.NONE, null), EventsStream.body(unnamed));
        try (ServiceRuntime.Running service = start(Map.of())) {
            awaitCaughtUp();
            Permalink p = get(declared);
            assertEquals("1d12", p.roll().formula());
            assertEquals("Axe", p.roll().label());
            assertEquals(9, p.roll().total());
            assertEquals(ErrorCodes.PERMALINK_NOT_FOUND, getCode(undeclared));
        }
    }

    @Test
    void redeliveredAndReplayedEventsMakeExactlyOneRowEach() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        String open = rollId();
        String secret = rollId();
        String stillSecret = rollId();
        long at = System.currentTimeMillis();
        try (ServiceRuntime.Running service = start(Map.of())) {
            publish(session, 1, Map.of("type", "room_created", "code", "WOLF-1234", "at", at),
                    Map.of("type", "rolled", "roll", roll(open, false, at)));
            publish(session, 3, Map.of("type", "rolled", "roll", roll(secret, true, at + 1)));
            publish(session, 4, Map.of("type", "rolled", "roll", roll(stillSecret, true, at + 2)));
            publish(session, 5, Map.of("type", "roll_revealed", "roll", secret, "at", at + 10));
            // Copies of stored commits (a writer's retry, a replay): the same (session, seq) again.
            publish(session, 1, Map.of("type", "room_created", "code", "WOLF-1234", "at", at),
                    Map.of("type", "rolled", "roll", roll(open, false, at)));
            publish(session, 5, Map.of("type", "roll_revealed", "roll", secret, "at", at + 10));
            awaitCaughtUp();
        }
        assertEquals(3, count("SELECT count(*) FROM roll_permalinks"));
        assertEquals(1, count("SELECT count(*) FROM roll_reveals"));

        // The consumer is lost and the whole log is projected again from the start.
        nc.jetStreamManagement().deleteConsumer(subjects.eventsStream(), "projections");
        try (ServiceRuntime.Running service = start(Map.of())) {
            awaitCaughtUp();
            assertEquals(3, count("SELECT count(*) FROM roll_permalinks"), "a replay adds no row");
            assertEquals(1, count("SELECT count(*) FROM roll_reveals"));
            assertEquals(1, count("SELECT count(*) FROM roll_permalinks WHERE id = '" + open + "'"));

            Permalink shown = get(open);
            assertEquals(open, shown.roll().id());
            assertEquals("Ada", shown.roll().name());
            assertEquals("4d6kh3+1", shown.roll().formula());
            assertEquals(13, shown.roll().total());
            assertEquals(List.of(true, false, true, true),
                    shown.roll().terms().get(0).dice().stream().map(d -> d.kept()).toList());
            assertEquals(at, shown.roll().rolledAt());
            assertEquals(at + Duration.ofDays(30).toMillis(), shown.expiresAt());
            String wire = Json.text(shown);
            assertFalse(wire.contains("WOLF-1234"), "the room code is never served: " + wire);
            assertFalse(wire.contains(session), "nor the session id: " + wire);

            Permalink revealed = get(secret);
            assertTrue(revealed.roll().hidden());
            assertEquals(at + 10, revealed.roll().revealedAt());
            assertEquals(at + 10 + Duration.ofDays(30).toMillis(), revealed.expiresAt(), "30 days from the reveal");
            assertEquals(shown.roll().room(), revealed.roll().room(), "one room, one digest");

            assertEquals(ErrorCodes.PERMALINK_NOT_FOUND, getCode(stillSecret), "no permalink before the reveal");
            assertEquals(ErrorCodes.PERMALINK_NOT_FOUND, getCode(rollId()));
            assertEquals(ErrorCodes.INVALID_PERMALINK, getCode("../../etc/passwd"));
            assertEquals(ErrorCodes.INVALID_PERMALINK, getCode(null));
        }
    }

    @Test
    void labelsAndAdvantageAreServedAndRollsToTheDmOrToOneselfNeverStored() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        String stealth = rollId();
        String toDm = rollId();
        String self = rollId();
        long at = System.currentTimeMillis();
        Map<String, Object> labelled = roll(stealth, false, at);
        labelled.putAll(Map.of("mode", "public", "label", "Stealth", "advantage", "advantage", "formula", "1d20+5"));
        Map<String, Object> dm = roll(toDm, true, at);
        dm.putAll(Map.of("mode", "dm", "label", "Insight"));
        Map<String, Object> mine = roll(self, true, at);
        mine.put("mode", "self");
        try (ServiceRuntime.Running service = start(Map.of())) {
            publish(session, 1, Map.of("type", "rolled", "roll", labelled), Map.of("type", "rolled", "roll", dm),
                    Map.of("type", "rolled", "roll", mine));
            awaitCaughtUp();
            Permalink shown = get(stealth);
            assertEquals(2, shown.roll().v());
            assertEquals("Stealth", shown.roll().label());
            assertEquals("advantage", shown.roll().advantage());
            assertEquals("1d20+5", shown.roll().formula());
            assertEquals(ErrorCodes.PERMALINK_NOT_FOUND, getCode(toDm));
            assertEquals(ErrorCodes.PERMALINK_NOT_FOUND, getCode(self));
        }
        assertEquals(0, count("SELECT count(*) FROM roll_permalinks WHERE id IN ('" + toDm + "', '" + self + "')"),
                "a roll that can never be public is never stored");
    }

    @Test
    void aRevealStoredBeforeItsRollStillTakesEffect() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(database.jdbcUrl());
        ds.setUser(database.user());
        ds.setPassword(database.password());
        // Migrate through the service, then drive the store directly (two replicas may project out of order).
        try (ServiceRuntime.Running service = start(Map.of())) {
            awaitCaughtUp();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // The last migration's column: the store writes every column there is.
            while (count("SELECT count(*) FROM information_schema.columns WHERE table_name = 'roll_permalinks'"
                    + " AND column_name = 'advantage'") == 0) {
                assertTrue(System.nanoTime() < deadline, "schema not migrated");
                Thread.sleep(50);
            }
            PermalinkStore store = new PermalinkStore(ds, Duration.ofDays(30));
            String id = rollId();
            long at = System.currentTimeMillis();
            store.apply(List.of(new PlacedRoll("s1", 9, "WOLF-1", new RollFact.Revealed(id, at + 5))));
            assertTrue(store.find(id).isEmpty());
            PlacedRoll rolled = PlacedRoll.of(EventsStream.read(NatsMessage.builder().subject("s1")
                    .data(Json.bytes(Map.of("session", "s1", "game", "dice", "code", "WOLF-1", "actionId", "g-1:a",
                            "at", at, "firstSeq", 8, "events", List.of(Map.of("type", "rolled", "roll", roll(id, true, at))))))
                    .build())).get(0);
            store.apply(List.of(rolled));
            store.apply(List.of(rolled));
            Permalink p = store.find(id).orElseThrow();
            assertEquals(at + 5, p.roll().revealedAt());
            assertEquals(1, count("SELECT count(*) FROM roll_permalinks"));
        }
    }

    @Test
    void expiredPermalinksAnswerNotFoundAndTheCleanupDeletesThem() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        String id = rollId();
        try (ServiceRuntime.Running service = start(Map.of("permalinks.ttl", "PT3S",
                "permalinks.cleanup.interval", "PT0.2S"))) {
            publish(session, 1, Map.of("type", "rolled", "roll", roll(id, false, System.currentTimeMillis())));
            awaitCaughtUp();
            assertEquals(id, get(id).roll().id());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (count("SELECT count(*) FROM roll_permalinks") > 0) {
                assertTrue(System.nanoTime() < deadline, "the cleanup did not delete the expired permalink");
                Thread.sleep(100);
            }
            RpcException gone = assertThrows(RpcException.class, () -> get(id));
            assertEquals(ErrorCodes.PERMALINK_NOT_FOUND, gone.code());
            assertTrue(gone.getMessage().contains("permalinks last"), gone.getMessage());
        }
    }

    @Test
    void withoutItsDatabaseTheServiceAnswersUnavailableAndPingStaysQuick() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (ServiceRuntime.Running service = start(Map.of("db.url", "jdbc:postgresql://127.0.0.1:" + closed + "/none"))) {
            List<java.util.concurrent.CompletableFuture<String>> reads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                reads.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> assertThrows(RpcException.class,
                        () -> Rpc.request(nc, subjects.dbPermalinkGet(), new Permalink.Get(rollId()), Permalink.class,
                                Duration.ofSeconds(15))).code()));
            }
            Thread.sleep(200);
            long t0 = System.nanoTime();
            Main.PingReply ping = Rpc.request(nc, subjects.dbPing(), Map.of(), Main.PingReply.class, T);
            assertFalse(ping.db());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(3).toNanos(), "ping waits for no permalink read");
            for (var read : reads) {
                assertEquals(ErrorCodes.UNAVAILABLE, read.get(20, java.util.concurrent.TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void eventsOfOtherKindsAndBrokenEventsAreSkippedNotStuck() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        String good = rollId();
        List<Object> events = new ArrayList<>();
        events.add(Map.of("type", "player_joined", "player", Map.of("id", "g-2", "name", "Bob"), "at", 1));
        events.add(Map.of("type", "rolled", "roll", Map.of("id", "short", "total", 3)));
        try (ServiceRuntime.Running service = start(Map.of())) {
            publish(session, 1, events.toArray());
            nc.jetStream().publish(subjects.events(session), "not json".getBytes());
            publish(session, 3, Map.of("type", "rolled", "roll", roll(good, false, System.currentTimeMillis())));
            awaitCaughtUp();
            assertEquals(good, get(good).roll().id());
            assertEquals(1, count("SELECT count(*) FROM roll_permalinks"));
            assertNull(get(good).roll().dc());
        }
    }
}
