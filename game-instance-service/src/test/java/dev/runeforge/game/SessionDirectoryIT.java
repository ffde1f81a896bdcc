package dev.runeforge.game;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.ActionClient;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.BusHeaders;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.testsupport.TestBus;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.MessageInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The session directory (KV {@code <ns>-sessions}) and what stored commits carry for readers of the log, against
 * a real NATS and a real game instance: written on create, join, kick, leave and close, never for a roll; END.
 */
class SessionDirectoryIT {
    private static final int PARTITIONS = 4;
    private static final String ALICE = "g-alice";
    private static final String BOB = "g-bob";
    private static final String CAROL = "g-carol";
    /** Not ASCII, and beyond the BMP: NATS header values are ASCII only. */
    private static final String CAROLS_NAME = "Zoë 𝔄da";

    @RegisterExtension
    final TestBus bus = new TestBus();
    private ActionClient actions;
    private final LinkedBlockingQueue<JsonNode> out = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final List<ServiceRuntime.Running> instances = new ArrayList<>();
    private final String session = UUID.randomUUID().toString().replace("-", "");
    private int ids;

    @BeforeEach
    void setUp() throws Exception {
        NatsClients.ensureStreams(bus.nc(), bus.subjects());
        bus.nc().createDispatcher(m -> out.add(Json.tree(m.getData()))).subscribe(bus.namespace() + ".out.>");
        actions = new ActionClient(bus.nc(), bus.subjects(), PARTITIONS, ActionClient.Settings.DEFAULT);
        instances.add(Main.start(ServiceConfig.load(TestNats.service(Main.SERVICE, Map.of(
                "bus.namespace", bus.namespace(), "admin.port", "0", "game.partitions", Integer.toString(PARTITIONS),
                "game.leases", "false", "game.dice.rolls.limit", "100000")))));
    }

    @AfterEach
    void tearDown() throws Exception {
        instances.forEach(ServiceRuntime.Running::close);
        actions.close();
    }

    private String send(BusAction.Kind kind, String player, Object body) throws Exception {
        String id = "a" + (++ids);
        BusAction a = new BusAction(id, kind, session, player, player.equals(CAROL) ? CAROLS_NAME : player.substring(2),
                kind == BusAction.Kind.CREATE
                ? "dice" : null, body == null ? null : Json.tree(body), null, 0);
        // Like a gateway: the answer's frames (the actor's accepted or error) join the views seen.
        actions.send(a).get(10, TimeUnit.SECONDS).frames()
                .forEach(f -> out.add(Json.tree(f.json().getBytes(StandardCharsets.UTF_8))));
        return id;
    }

    /**
     * The first message seen that matches, taken out; the others stay for later awaits (the answer's frames and the
     * live views come on two paths, so their order is not fixed).
     */
    private JsonNode await(Predicate<JsonNode> match) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (java.util.Iterator<JsonNode> it = seen.iterator(); it.hasNext(); ) {
                JsonNode m = it.next();
                if (match.test(m)) {
                    it.remove();
                    return m;
                }
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("no matching message");
            }
            JsonNode m = out.poll(100, TimeUnit.MILLISECONDS);
            if (m != null) {
                seen.add(m);
            }
        }
    }

    /** The answer to action {@code id}: {@code accepted} or {@code error}. */
    private JsonNode answer(String id) throws InterruptedException {
        return await(m -> (m.path("type").asText().equals("accepted") || m.path("type").asText().equals("error"))
                && id.equals(m.path(m.has("ref") ? "ref" : "id").asText()));
    }

    private void accepted(String id) throws InterruptedException {
        JsonNode a = answer(id);
        assertEquals("accepted", a.path("type").asText(), () -> "refused: " + a);
    }

    private KeyValue kv() throws Exception {
        return bus.nc().keyValue(bus.subjects().sessionsBucket());
    }

    /** The directory entry once its revision passes {@code after}. */
    private KeyValueEntry entryAfter(long after) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            KeyValueEntry e = kv().get(session);
            if (e != null && e.getRevision() > after) {
                return e;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the directory entry of " + session + " was not written after revision " + after);
    }

    private static SessionSummary summary(KeyValueEntry e) {
        return Json.read(e.getValue(), SessionSummary.class);
    }

    private static List<String> ids(SessionSummary s) {
        return s.members().stream().map(SessionSummary.Member::id).toList();
    }

    @Test
    void theSummaryIsWrittenWhenMembershipChangesAndNeverForAPlainRoll() throws Exception {
        accepted(send(BusAction.Kind.CREATE, ALICE, Map.of("mode", "open")));
        KeyValueEntry created = entryAfter(0);
        SessionSummary s = summary(created);
        assertEquals(session, s.session());
        assertEquals("dice", s.game());
        assertEquals(ALICE, s.host());
        assertEquals(List.of(new SessionSummary.Member(ALICE, "alice")), s.members());
        assertNotNull(s.code());
        assertFalse(s.closed());
        assertEquals(1, s.seq());

        accepted(send(BusAction.Kind.JOIN, BOB, null));
        KeyValueEntry bobIn = entryAfter(created.getRevision());
        accepted(send(BusAction.Kind.JOIN, CAROL, null));
        KeyValueEntry carolIn = entryAfter(bobIn.getRevision());
        assertEquals(List.of(ALICE, BOB, CAROL), ids(summary(carolIn)));
        assertEquals(CAROLS_NAME, summary(carolIn).members().get(2).name());

        for (int i = 0; i < 20; i++) {
            accepted(send(BusAction.Kind.GAME, i % 2 == 0 ? ALICE : BOB, Map.of("type", "roll", "formula", "1d20")));
        }
        Thread.sleep(300);
        assertEquals(carolIn.getRevision(), kv().get(session).getRevision(), "rolls write nothing");

        assertEquals("FORBIDDEN", answer(send(BusAction.Kind.END, BOB, null)).path("code").asText(),
                "only the host ends a session");
        accepted(send(BusAction.Kind.GAME, ALICE, Map.of("type", "kick", "player", CAROL)));
        KeyValueEntry kicked = entryAfter(carolIn.getRevision());
        assertEquals(carolIn.getRevision() + 1, kicked.getRevision(), "nothing was written between join and kick");
        assertEquals(List.of(CAROL), summary(kicked).barred());
        assertEquals(List.of(ALICE, BOB), ids(summary(kicked)));

        accepted(send(BusAction.Kind.LEAVE, BOB, null));
        KeyValueEntry left = entryAfter(kicked.getRevision());
        assertEquals(List.of(ALICE), ids(summary(left)));
        String code = summary(left).code();

        String end = send(BusAction.Kind.END, ALICE, null);
        // Members are told they are out: a "left" for the closing (earlier ones were Carol's and Bob's).
        JsonNode closing = await(m -> "left".equals(m.path("type").asText())
                && "closed".equals(m.path("reason").asText()));
        assertEquals("closed", closing.path("reason").asText());
        accepted(end);
        KeyValueEntry ended = entryAfter(left.getRevision());
        SessionSummary last = summary(ended);
        assertTrue(last.closed());
        assertNull(last.code(), "a closed session's code is free");
        assertNull(bus.nc().keyValue(bus.subjects().directoryBucket()).get(code), "the room code was released");
        assertEquals("ROOM_NOT_FOUND", answer(send(BusAction.Kind.JOIN, "g-dave", null)).path("code").asText());

        // What each stored commit carries for readers of the log that know no game.
        var jsm = bus.nc().jetStreamManagement();
        long lastSeq = jsm.getStreamInfo(bus.subjects().eventsStream()).getStreamState().getLastSequence();
        int withSummary = 0;
        long rolls = 0;
        for (long seq = 1; seq <= lastSeq; seq++) {
            MessageInfo m = jsm.getMessage(bus.subjects().eventsStream(), seq);
            JsonNode commit = Json.tree(m.getData());
            assertEquals("dice", m.getHeaders().getFirst(BusHeaders.GAME));
            String type = commit.path("events").get(0).path("type").asText();
            String tally = m.getHeaders().getFirst(BusHeaders.TALLY);
            if (type.equals("rolled")) {
                JsonNode t = Json.tree(tally.getBytes()).path(commit.path("firstSeq").asText());
                rolls += t.path(commit.path("actor").asText()).path("rolls").asLong();
                assertNull(m.getHeaders().getFirst(BusHeaders.SESSION), "a roll changes no summary");
            } else {
                assertNull(tally, type + " tallies nothing");
            }
            if (m.getHeaders().getFirst(BusHeaders.SESSION) != null) {
                withSummary++;
                SessionSummary carried = Json.read(m.getHeaders().getFirst(BusHeaders.SESSION), SessionSummary.class);
                assertEquals(commit.path("firstSeq").asLong() + commit.path("events").size() - 1, carried.seq());
                if (carried.isMember(CAROL)) {
                    assertEquals(CAROLS_NAME, carried.members().get(2).name(), "names survive the ASCII header");
                }
            }
        }
        assertEquals(20, rolls);
        assertEquals(6, withSummary, "create, two joins, kick, leave, end");
    }

    @Test
    void aNewOwnerWritesTheSummaryItFindsMissing() throws Exception {
        accepted(send(BusAction.Kind.CREATE, ALICE, Map.of("mode", "dm-led")));
        accepted(send(BusAction.Kind.JOIN, BOB, null));
        KeyValueEntry before = entryAfter(0);
        while (summary(before).members().size() < 2) {
            before = entryAfter(before.getRevision());
        }
        // The owner stored a commit and died before writing the directory: the entry is gone.
        instances.removeFirst().close();
        kv().delete(session);
        instances.add(Main.start(ServiceConfig.load(TestNats.service(Main.SERVICE, Map.of(
                "bus.namespace", bus.namespace(), "admin.port", "0", "game.partitions", Integer.toString(PARTITIONS),
                "game.leases", "false")))));
        KeyValueEntry rewritten = entryAfter(0);
        assertEquals(List.of(ALICE, BOB), ids(summary(rewritten)));
        assertEquals(ALICE, summary(rewritten).host());
        assertEquals(2, summary(rewritten).seq());
    }
}
