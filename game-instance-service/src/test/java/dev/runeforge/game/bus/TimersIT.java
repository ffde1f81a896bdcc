package dev.runeforge.game.bus;

import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.engine.GameRegistry;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.Viewer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.ActionClient;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.DirectoryBucket;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.SessionsBucket;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.testsupport.TestBus;
import dev.runeforge.testsupport.TestNats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Deadlines fire through the action path, once, and a new owner re-arms them after a takeover. */
class TimersIT {
    private static final int PARTITIONS = 4;
    private static final Duration FUSE = Duration.ofMillis(1500);

    /** A test game: an hourglass that runs out {@link #FUSE} after it is created. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({@JsonSubTypes.Type(value = Started.class, name = "started"),
            @JsonSubTypes.Type(value = RanOut.class, name = "ran_out")})
    sealed interface Event {
    }

    record Started(long until) implements Event {
    }

    record RanOut() implements Event {
    }

    record Glass(boolean created, long until, boolean out) {
    }

    record NoCommand() {
    }

    record NoSettings() {
    }

    static final class Hourglass implements GameRules<Glass, NoCommand, Event, NoSettings> {
        public String id() { return "hourglass"; }
        public Class<NoCommand> commandType() { return NoCommand.class; }
        public Class<Glass> stateType() { return Glass.class; }
        public Class<Event> eventType() { return Event.class; }
        public Glass initial() { return new Glass(false, 0, false); }
        public NoSettings settings(JsonNode json) { return new NoSettings(); }
        public Decision<Event> create(Glass s, NoSettings settings, Context ctx) {
            return Decision.accept(new Started(ctx.now().plus(FUSE).toEpochMilli()));
        }
        public Decision<Event> join(Glass s, Context ctx) { return Decision.accept(); }
        public Decision<Event> leave(Glass s, Context ctx) { return Decision.accept(); }
        public Decision<Event> decide(Glass s, NoCommand c, Context ctx) { return Decision.accept(); }
        public Glass apply(Glass s, Event e) {
            return switch (e) {
                case Started st -> new Glass(true, st.until(), false);
                case RanOut r -> new Glass(true, s.until(), true);
            };
        }
        public boolean isMember(Glass s, String player) { return true; }
        public Collection<String> members(Glass s) { return List.of(); }
        public Object view(Glass s, Viewer v) { return s; }
        public Object project(Glass s, Event e, Viewer v) { return e; }
        @Override
        public Optional<Instant> deadline(Glass s) {
            return s.out() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(s.until()));
        }
        @Override
        public Decision<Event> onDeadline(Glass s, Context ctx) { return Decision.accept(new RanOut()); }
    }

    /** One game instance's engine, wired by hand with the test game. */
    private final class Instance implements AutoCloseable {
        final Connection nc;
        final Timers timers;
        final ActionHandler handler;
        final ActionInbox inbox;

        Instance() throws Exception {
            Subjects subjects = bus.subjects();
            nc = TestNats.connect();
            timers = new Timers(nc, subjects, PARTITIONS, Clock.systemUTC());
            handler = new ActionHandler(nc, subjects, new GameRegistry().register(new Hourglass()),
                    new SessionLog(nc, subjects), DirectoryBucket.open(nc, subjects),
                    SessionsBucket.of(NatsClients.ensureSessions(nc, subjects, 1, Duration.ofMinutes(5))).writer(),
                    new Snapshots(nc, subjects), timers, 100, PARTITIONS, 16, Clock.systemUTC(), new SplittableRandom(),
                    new SimpleMeterRegistry());
            SessionMailboxes mailboxes = new SessionMailboxes(handler, PARTITIONS, 100, Duration.ofSeconds(5), () -> false,
                    new SimpleMeterRegistry());
            timers.deliverTo(t -> mailboxes.submit(new SessionMailboxes.Work(t, null, null, System.nanoTime())));
            inbox = new ActionInbox(nc, subjects, mailboxes);
        }

        void take(int partition) throws Exception {
            inbox.open(List.of(partition));
            handler.warm(List.of(partition));
        }

        @Override
        public void close() throws Exception {
            inbox.close();
            timers.close();
            nc.close();
        }
    }

    @RegisterExtension
    final TestBus bus = new TestBus();
    private ActionClient actions;
    private final List<Instance> instances = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        NatsClients.ensureStreams(bus.nc(), bus.subjects());
        NatsClients.ensureDirectory(bus.nc(), bus.subjects());
        actions = new ActionClient(bus.nc(), bus.subjects(), PARTITIONS, ActionClient.Settings.DEFAULT);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Instance i : instances) {
            i.close();
        }
        actions.close();
    }

    private Instance instance() throws Exception {
        Instance i = new Instance();
        instances.add(i);
        return i;
    }

    private String create() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        BusAction a = new BusAction("c", BusAction.Kind.CREATE, session, "g-a", "A", "hourglass", null, null, 0);
        actions.send(a).get(5, TimeUnit.SECONDS);
        return session;
    }

    private List<String> log(String session) throws Exception {
        List<String> types = new ArrayList<>();
        for (SessionLog.Stored stored : new SessionLog(bus.nc(), bus.subjects()).read(session, 1)) {
            stored.commit().events().forEach(e -> types.add(e.path("type").asText()));
        }
        return types;
    }

    private void awaitLog(String session, List<String> expected, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!log(session).equals(expected)) {
            assertTrue(System.nanoTime() < deadline, "log " + log(session) + ", expected " + expected);
            Thread.sleep(50);
        }
    }

    @Test
    void aDeadlineFiresOnceThroughTheActionPath() throws Exception {
        Instance a = instance();
        for (int p = 0; p < PARTITIONS; p++) {
            a.take(p);
        }
        String session = create();
        awaitLog(session, List.of("started"), Duration.ofSeconds(5));
        awaitLog(session, List.of("started", "ran_out"), FUSE.plusSeconds(3));
        Thread.sleep(500);
        assertEquals(List.of("started", "ran_out"), log(session), "fired once");
        assertEquals(0, a.timers.armedCount(), "nothing left armed once the glass ran out");
    }

    @Test
    void aNewOwnerReArmsTheDeadlinesOfAPartitionItTakesOver() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        int partition = Partitions.of(session, PARTITIONS);
        Instance first = instance();
        first.take(partition);
        BusAction a = new BusAction("c", BusAction.Kind.CREATE, session, "g-a", "A", "hourglass", null, null, 0);
        actions.send(a).get(5, TimeUnit.SECONDS);
        awaitLog(session, List.of("started"), Duration.ofSeconds(5));

        // The first owner dies before the deadline: its timer never fires.
        first.close();
        instances.remove(first);

        Instance second = instance();
        // Nobody acts on the session: only the index can bring its deadline back. (Whether it is still armed or
        // already rang when take() returns depends on how long the hand-over took: the log says what matters.)
        second.take(partition);
        awaitLog(session, List.of("started", "ran_out"), FUSE.plusSeconds(3));
    }
}
