package dev.runeforge.game.engine;

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

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.testsupport.TestNats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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

    static final class Hourglass implements GameRules<Glass, NoCommand, Event> {
        public String id() { return "hourglass"; }
        public Class<NoCommand> commandType() { return NoCommand.class; }
        public Class<Glass> stateType() { return Glass.class; }
        public Class<Event> eventType() { return Event.class; }
        public Glass initial() { return new Glass(false, 0, false); }
        public Decision<Event> create(Glass s, JsonNode settings, Context ctx) {
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
        final PartitionConsumers consumers;

        Instance() throws Exception {
            nc = Nats.connect(TestNats.url());
            timers = new Timers(nc, subjects, PARTITIONS, Clock.systemUTC());
            handler = new ActionHandler(nc, subjects, new GameRegistry().register(new Hourglass()),
                    new SessionLog(nc, subjects), new RoomDirectory(nc, subjects, new SplittableRandom()),
                    new SessionDirectory(NatsClients.ensureSessions(nc, subjects, 1, Duration.ofMinutes(5))),
                    new Snapshots(nc, subjects), timers, 100, PARTITIONS, Clock.systemUTC(), new SplittableRandom(),
                    new SimpleMeterRegistry());
            consumers = new PartitionConsumers(nc, subjects, handler, Duration.ofSeconds(5));
        }

        void take(int partition) throws Exception {
            consumers.start(partition);
            handler.warm(partition);
        }

        @Override
        public void close() throws Exception {
            consumers.close();
            timers.close();
            nc.close();
        }
    }

    private String ns;
    private Subjects subjects;
    private Connection nc;
    private final List<Instance> instances = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        ns = TestNats.newNamespace();
        subjects = new Subjects(ns);
        nc = Nats.connect(TestNats.url());
        NatsClients.ensureStreams(nc, subjects);
        NatsClients.ensureDirectory(nc, subjects);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Instance i : instances) {
            i.close();
        }
        nc.close();
        TestNats.deleteNamespace(ns);
    }

    private Instance instance() throws Exception {
        Instance i = new Instance();
        instances.add(i);
        return i;
    }

    private String create() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        BusAction a = new BusAction("c", BusAction.Kind.CREATE, session, "g-a", "A", "hourglass", null, null, 0);
        nc.jetStream().publish(subjects.action(Partitions.of(session, PARTITIONS), session), Json.bytes(a),
                PublishOptions.builder().messageId(a.key()).build());
        return session;
    }

    private List<String> log(String session) throws Exception {
        List<String> types = new ArrayList<>();
        for (SessionLog.Stored stored : new SessionLog(nc, subjects).read(session, 1)) {
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
        nc.jetStream().publish(subjects.action(partition, session), Json.bytes(a), PublishOptions.builder().messageId(a.key()).build());
        awaitLog(session, List.of("started"), Duration.ofSeconds(5));

        // The first owner dies before the deadline: its timer never fires.
        first.close();
        instances.remove(first);

        Instance second = instance();
        second.take(partition); // nobody acts on the session: only the index can bring its deadline back
        assertEquals(1, second.timers.armedCount(), "re-armed from the index");
        awaitLog(session, List.of("started", "ran_out"), FUSE.plusSeconds(3));
    }
}
