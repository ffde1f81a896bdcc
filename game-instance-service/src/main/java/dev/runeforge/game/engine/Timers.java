package dev.runeforge.game.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.PublishOptions;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;

/**
 * Session deadlines. A deadline lives in the game's state; this class only wakes the session up: when it is
 * due, a TIMER action is published to the session's action subject, so it takes the same path as a player's
 * (ordered, fenced, exactly once: its message id is the deadline itself). An index in the KV bucket
 * {@code <ns>-timers} (key {@code p<partition>.<session>}) lets a new owner find and re-arm the deadlines of a
 * partition it takes over, even for sessions nobody touches.
 */
public final class Timers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Timers.class.getName());

    private final Connection nc;
    private final Subjects subjects;
    private final int partitions;
    private final Clock clock;
    private final KeyValue index;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("session-timers").daemon().factory());
    private final Map<String, Armed> armed = new ConcurrentHashMap<>();
    /** What the index holds for each session this instance has seen: a deadline (epoch ms) or -1 for none. */
    private final Map<String, Long> indexed = new ConcurrentHashMap<>();

    private record Armed(long at, ScheduledFuture<?> future) {
    }

    public Timers(Connection nc, Subjects subjects, int partitions, Clock clock) throws IOException, JetStreamApiException {
        this(nc, subjects, partitions, clock, 1);
    }

    public Timers(Connection nc, Subjects subjects, int partitions, Clock clock, int replicas)
            throws IOException, JetStreamApiException {
        this.nc = nc;
        this.subjects = subjects;
        this.partitions = partitions;
        this.clock = clock;
        this.index = NatsClients.ensureBucket(nc, KeyValueConfiguration.builder().name(subjects.namespace() + "-timers")
                .storageType(StorageType.File).maxHistoryPerKey(1).replicas(replicas).build());
    }

    /**
     * Arms (or moves, or clears) the timer of {@code session} to its current deadline. Cheap when nothing
     * changed: the index is written only when the deadline does.
     */
    public void arm(LiveSession<?, ?, ?> session) {
        arm(session, false);
    }

    /** As {@link #arm(LiveSession)}; {@code listed}: the index is known to hold an entry for it. */
    void arm(LiveSession<?, ?, ?> session, boolean listed) {
        String id = session.id();
        long at = deadline(session).map(Instant::toEpochMilli).orElse(-1L);
        Long known = indexed.get(id);
        if (known != null && known == at) {
            return;
        }
        Armed current = armed.remove(id);
        if (current != null) {
            current.future().cancel(false);
        }
        try {
            if (at < 0) {
                if (listed || (known != null && known >= 0)) {
                    index.delete(key(id));
                }
                indexed.put(id, -1L);
                return;
            }
            index.put(key(id), Long.toString(at).getBytes(StandardCharsets.UTF_8));
            indexed.put(id, at);
        } catch (IOException | JetStreamApiException e) {
            LOG.log(Level.WARNING, "timer index for session " + id + " not updated", e);
        }
        long delay = Math.max(0, at - clock.millis());
        armed.put(id, new Armed(at, scheduler.schedule(() -> fire(id, at), delay, TimeUnit.MILLISECONDS)));
    }

    private static <S, C, E> Optional<Instant> deadline(LiveSession<S, C, E> s) {
        return s.created() ? s.rules().deadline(s.state()) : Optional.empty();
    }

    private void fire(String session, long at) {
        armed.remove(session);
        indexed.remove(session); // whatever the session decides, the next arm() re-reads its deadline
        BusAction timer = new BusAction("timer-" + at, BusAction.Kind.TIMER, session, BusAction.SYSTEM,
                BusAction.SYSTEM, null, null, null, clock.millis());
        try {
            nc.jetStream().publish(subjects.action(Partitions.of(session, partitions), session), Json.bytes(timer),
                    PublishOptions.builder().messageId(timer.key()).build());
        } catch (IOException | JetStreamApiException e) {
            LOG.log(Level.WARNING, "timer of session " + session + " could not be sent; retrying in 1 s", e);
            armed.put(session, new Armed(at, scheduler.schedule(() -> fire(session, at), 1, TimeUnit.SECONDS)));
        }
    }

    /** The sessions of {@code partition} that have a deadline (a new owner loads and re-arms them). */
    public List<String> sessionsWithDeadlines(int partition) throws IOException {
        String prefix = "p" + partition + ".";
        try {
            return index.keys(prefix + ">").stream().map(k -> k.substring(prefix.length())).toList();
        } catch (JetStreamApiException e) {
            throw new IOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Stops the local timers of a partition's sessions (its new owner re-arms them from the index). */
    public void disarm(int partition) {
        indexed.keySet().removeIf(id -> Partitions.of(id, partitions) == partition);
        armed.entrySet().removeIf(e -> {
            if (Partitions.of(e.getKey(), partitions) == partition) {
                e.getValue().future().cancel(false);
                return true;
            }
            return false;
        });
    }

    public int armedCount() {
        return armed.size();
    }

    private String key(String session) {
        return "p" + Partitions.of(session, partitions) + "." + session;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }


}
