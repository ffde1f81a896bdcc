package dev.runeforge.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.ActionClient;
import dev.runeforge.common.bus.ActionReply;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.json.Json;
import dev.runeforge.testsupport.TestBus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A socket's queue of actions against a real NATS, with a stand-in game owner on the action subjects that answers
 * the first action late (as an overloaded owner does) and the rest at once.
 */
class SessionMembershipIT {
    /** Longer than {@link SessionMembership#MAX_WAIT}: what queues behind this answer waits too long. */
    private static final Duration SLOW = SessionMembership.MAX_WAIT.plusMillis(500);

    @RegisterExtension
    final TestBus bus = new TestBus();
    private ActionClient actions;
    private SessionHub hub;
    private Dispatcher owner;
    private final ScheduledExecutorService late = Executors.newSingleThreadScheduledExecutor();
    /** The action ids the owner received, in order. */
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws Exception {
        owner = bus.nc().createDispatcher(this::answer);
        owner.subscribe(bus.namespace() + ".act.>");
        bus.nc().flush(Duration.ofSeconds(2));
        actions = new ActionClient(bus.nc(), bus.subjects(), 64, ActionClient.Settings.DEFAULT);
        hub = new SessionHub(bus.nc(), bus.subjects(), new SimpleMeterRegistry());
    }

    @AfterEach
    void tearDown() throws Exception {
        late.shutdownNow();
        actions.close();
    }

    /** Accepts every action; the one with id "slow" only after {@link #SLOW}. */
    private void answer(Message msg) {
        BusAction action = Json.read(msg.getData(), BusAction.class);
        received.add(action.id());
        ActionReply reply = new ActionReply(ActionReply.Outcome.ACCEPTED, List.of());
        Runnable send = () -> bus.nc().publish(msg.getReplyTo(), reply.headers(), reply.body());
        if (action.id().equals("slow")) {
            late.schedule(send, SLOW.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            send.run();
        }
    }

    private SessionMembership member() {
        return new SessionMembership(actions, hub, new SessionMembership.Actor("p1", "Ann", "d1", "c1"),
                frame -> frames.add(Json.tree(frame.getBytes(StandardCharsets.UTF_8))));
    }

    private JsonNode nextFrame() throws InterruptedException {
        JsonNode f = frames.poll(10, TimeUnit.SECONDS);
        assertTrue(f != null, "no frame within 10 s");
        return f;
    }

    @Test
    void actionsThatWaitedTooLongBehindASlowOneAreRefusedBusyAndNeverSent() throws Exception {
        SessionMembership m = member();
        JsonNode body = Json.tree(Map.of("type", "roll", "expr", "1d20"));
        m.act("slow", "s1", body);
        m.act("a2", "s1", body);
        m.act("a3", "s1", body);
        long start = System.nanoTime();
        for (String ref : List.of("a2", "a3")) {
            JsonNode f = nextFrame();
            assertEquals("error", f.path("type").asText(), f.toString());
            assertEquals("BUSY", f.path("code").asText(), f.toString());
            assertEquals(ref, f.path("ref").asText(), f.toString());
            assertTrue(f.path("retryMs").asInt() > 0, f.toString());
        }
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waitedMs < SLOW.toMillis() + 2_000, "refused " + waitedMs + " ms after they were made");
        assertEquals(List.of("slow"), received, "the refused actions never reached the owner");

        m.act("a4", "s1", body); // the queue is free again: a fresh action goes out
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!received.contains("a4") && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(List.of("slow", "a4"), received);
        assertTrue(frames.isEmpty(), "no more frames: " + frames);
    }

    @Test
    void theGatewaysOwnActionsAreSentHoweverLongTheyWaited() throws Exception {
        SessionMembership m = member();
        m.act("slow", "s1", Json.tree(Map.of("type", "roll", "expr", "1d20")));
        m.leave("bye", "s1");
        assertEquals("left", nextFrame().path("type").asText());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!received.contains("bye") && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(List.of("slow", "bye"), received, "the leave went out after the slow action, not refused");
        assertTrue(frames.isEmpty(), "nothing refused: " + frames);
    }
}
