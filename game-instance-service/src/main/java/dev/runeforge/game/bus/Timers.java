package dev.runeforge.game.bus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.game.engine.LiveSession;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueWatchOption;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.StorageType;
import io.nats.client.impl.NatsKeyValueWatchSubscription;

/**
 * Session deadlines. A deadline lives in the game's state; this class only wakes the session up: when it is
 * due, a TIMER action goes into the session's mailbox, so it takes the same path as a player's (ordered with
 * them, fenced, applied once: its id is the deadline itself). Waking a session early is harmless: the engine sees
 * the deadline has not come and arms the timer again for the real one.
 *
 * <p>That is what keeps a roll free of timer work, although every roll in a dice room pushes its expiry back:
 * a timer that would ring earlier than the new deadline is left as it is (it rings, and is armed again then), and
 * the index in the KV bucket {@code <ns>-timers} (key {@code p<partition>.<session>}, value: a deadline no later
 * than the session's) is written only when a deadline comes earlier than what it holds, or goes away. A new owner
 * reads the index of the partitions it takes (one watch) and arms those times without loading any session.
 */
public final class Timers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Timers.class.getName());

    private final int partitions;
    private final Clock clock;
    private final KeyValue index;
    private final ScheduledThreadPoolExecutor scheduler = scheduler();
    private final Map<String, Armed> armed = new ConcurrentHashMap<>();
    /** What the index holds for each session this instance has seen: a deadline (epoch ms) or -1 for none. */
    private final Map<String, Long> indexed = new ConcurrentHashMap<>();

    /** Where due timers go: the session's mailbox. Set once the mailboxes exist. */
    private volatile Consumer<BusAction> sink = a -> {
    };

    private record Armed(long at, ScheduledFuture<?> future) {
    }

    public Timers(Connection nc, Subjects subjects, int partitions, Clock clock) throws IOException, JetStreamApiException {
        this(nc, subjects, partitions, clock, 1);
    }

    public Timers(Connection nc, Subjects subjects, int partitions, Clock clock, int replicas)
            throws IOException, JetStreamApiException {
        this.partitions = partitions;
        this.clock = clock;
        this.index = NatsClients.ensureBucket(nc, KeyValueConfiguration.builder().name(subjects.namespace() + "-timers")
                .storageType(StorageType.File).maxHistoryPerKey(1).replicas(replicas).build());
    }

    /** One thread; a cancelled timer leaves the queue at once (a room's expiry is hours away). */
    private static ScheduledThreadPoolExecutor scheduler() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("session-timers").daemon().factory());
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    /** Due timers become TIMER actions handed to {@code sink} (the session's mailbox). */
    public void deliverTo(Consumer<BusAction> sink) {
        this.sink = java.util.Objects.requireNonNull(sink);
    }

    /**
     * Keeps the timer of {@code session} no later than its current deadline (or clears it). No I/O and no
     * rescheduling when the deadline only moved later, which is what a roll does.
     */
    public void arm(LiveSession<?, ?, ?> session) {
        String id = session.id();
        long at = deadline(session).map(Instant::toEpochMilli).orElse(-1L);
        Long known = indexed.get(id);
        try {
            if (at < 0) {
                if (known == null || known >= 0) {
                    index.delete(key(id));
                    indexed.put(id, -1L);
                }
            } else if (known == null || known < 0 || at < known) {
                index.put(key(id), Long.toString(at).getBytes(StandardCharsets.UTF_8));
                indexed.put(id, at);
            }
        } catch (IOException | JetStreamApiException e) {
            indexed.remove(id); // unknown now: the next arm writes again
            LOG.log(Level.WARNING, "timer index for session " + id + " not updated", e);
        }
        schedule(id, at);
    }

    /** The local timer: cleared, kept when it rings no later than {@code at}, else moved to {@code at}. */
    private void schedule(String id, long at) {
        armed.compute(id, (k, current) -> {
            if (at < 0) {
                if (current != null) {
                    current.future().cancel(false);
                }
                return null;
            }
            if (current != null && current.at() <= at && !current.future().isDone()) {
                return current; // it rings early, and the session arms it again for the real deadline then
            }
            if (current != null) {
                current.future().cancel(false);
            }
            long delay = Math.max(0, at - clock.millis());
            try {
                return new Armed(at, scheduler.schedule(() -> fire(id, at), delay, TimeUnit.MILLISECONDS));
            } catch (RejectedExecutionException e) {
                return null; // closing
            }
        });
    }

    private static <S, C, E> Optional<Instant> deadline(LiveSession<S, C, E> s) {
        return s.created() ? s.rules().deadline(s.state()) : Optional.empty();
    }

    /** Due timers become TIMER actions handed to the sink. */
    private void fire(String session, long at) {
        armed.computeIfPresent(session, (k, current) -> current.at() == at ? null : current);
        sink.accept(new BusAction("timer-" + at, BusAction.Kind.TIMER, session, BusAction.SYSTEM, BusAction.SYSTEM,
                null, null, null, clock.millis()));
    }

    /** A TIMER action could not be stored: hand it in again in a second (its id makes a repeat harmless). */
    public void retry(BusAction timer) {
        try {
            scheduler.schedule(() -> sink.accept(timer), 1, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "timers closed; the next owner re-arms the deadline", e);
        }
    }

    /**
     * Partitions were just taken: arms the deadlines their index holds, without loading a session (each loads
     * when its timer rings). Returns the sessions found (the live sessions of those partitions, as far as the
     * index knows: every session with a deadline). A few partitions are read with a watch each; many (a takeover of a dead instance's
     * share) with one watch over the whole index, filtered here: NATS 2.9 filters a consumer on one subject only,
     * and one watch costs less than twenty.
     */
    public List<String> rearm(Collection<Integer> taken) throws IOException {
        List<String> sessions = new ArrayList<>();
        if (taken.isEmpty()) {
            return sessions;
        }
        java.util.Set<Integer> wanted = java.util.Set.copyOf(taken);
        if (wanted.size() <= 4) {
            for (int p : wanted) {
                rearm("p" + p + ".>", wanted, sessions);
            }
        } else {
            rearm(">", wanted, sessions);
        }
        return sessions;
    }

    private void rearm(String filter, java.util.Set<Integer> wanted, List<String> sessions) throws IOException {
        CountDownLatch done = new CountDownLatch(1);
        NatsKeyValueWatchSubscription watch;
        try {
            watch = index.watch(filter, new KeyValueWatcher() {
                @Override
                public void watch(KeyValueEntry entry) {
                    String key = entry.getKey();
                    int dot = key.indexOf('.');
                    try {
                        if (dot < 2 || !wanted.contains(Integer.parseInt(key.substring(1, dot)))) {
                            return;
                        }
                        long at = Long.parseLong(entry.getValueAsString());
                        String session = key.substring(dot + 1);
                        indexed.put(session, at);
                        schedule(session, at);
                        sessions.add(session);
                    } catch (NumberFormatException | NullPointerException e) {
                        LOG.warning(() -> "unreadable timer index entry " + key);
                    }
                }

                @Override
                public void endOfData() {
                    done.countDown();
                }
            }, KeyValueWatchOption.IGNORE_DELETE);
        } catch (JetStreamApiException e) {
            throw new IOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        try {
            if (!done.await(10, TimeUnit.SECONDS)) {
                throw new IOException("the timer index did not answer within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            watch.unsubscribe();
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
