package dev.runeforge.game.bus;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.Partitions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.impl.Headers;

/**
 * One mailbox per session: its actions run one at a time, in the order they arrived, on a virtual thread that
 * lives while the mailbox has work. Different sessions run side by side, so one session waiting for its append's
 * acknowledgement holds up nobody else (the appends of a busy partition are pipelined across its sessions).
 *
 * <p>Overload is refused, not queued: an action is answered BUSY at once when more actions than the adaptive limit
 * ({@link Admission}: it shrinks while steps take over a tenth of {@code maxWait}) or {@code maxQueued} already
 * wait or run on this instance, and when it waited longer than {@code maxWait} before its turn (its player would
 * rather hear "busy, try again" now than "accepted" in ten seconds). Quiet actions (timers, presence) are never
 * refused: nobody would send them again. A new room is refused BUSY while {@code heapFull} says the heap has no
 * room for it ({@link HeapGuard}): the rooms already here keep playing.
 */
public final class SessionMailboxes {
    private static final Logger LOG = Logger.getLogger(SessionMailboxes.class.getName());
    /** The retry hint of a new room refused for want of heap. */
    static final int HEAP_RETRY_MS = 5_000;

    /** One action to run, with where to answer it (null: nobody waits) and when it arrived (System.nanoTime). */
    public record Work(BusAction action, String replyTo, Headers headers, long arrived) {
    }

    /** Runs one action, or refuses it as busy. */
    public interface Worker {
        /** Runs {@code work}; false when it failed and its sender tries again (the instance may be behind). */
        boolean run(Work work);

        void busy(Work work, int retryMs);
    }

    private final Worker worker;
    private final int partitions;
    private final int maxQueued;
    private final long maxWaitNanos;
    /** The retry hint of an action refused because too much waits: the queue's patience, within 0.1–5 s. */
    private final int retryMs;
    private final BooleanSupplier heapFull;
    private final Admission admission;
    private final Map<String, Mailbox> boxes = new ConcurrentHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Counter refused;
    /** When a mailbox last ended a step (System.nanoTime), for {@link #stalledNanos}. */
    private volatile long lastEnded = System.nanoTime();

    public SessionMailboxes(Worker worker, int partitions, int maxQueued, Duration maxWait, BooleanSupplier heapFull,
                            MeterRegistry metrics) {
        this(worker, partitions, maxQueued, maxWait, heapFull, metrics, System::nanoTime);
    }

    /** As above, with the clock the adaptive limit measures steps by (a test's). */
    SessionMailboxes(Worker worker, int partitions, int maxQueued, Duration maxWait, BooleanSupplier heapFull,
                     MeterRegistry metrics, LongSupplier clock) {
        this.worker = worker;
        this.admission = new Admission(maxWait.dividedBy(10), maxQueued, clock);
        this.partitions = partitions;
        this.maxQueued = maxQueued;
        this.maxWaitNanos = maxWait.toNanos();
        this.retryMs = (int) Math.max(100, Math.min(5_000, maxWaitNanos / 1_000_000));
        this.heapFull = heapFull;
        Gauge.builder("rf_game_actions_queued", queued, AtomicInteger::get)
                .description("Actions waiting for their session's turn on this instance").register(metrics);
        Gauge.builder("rf_game_actions_limit", admission, Admission::limit)
                .description("How many players' actions this instance takes on at once (adaptive; more are refused BUSY)")
                .register(metrics);
        this.refused = Counter.builder("rf_game_actions_busy_total")
                .description("Actions refused BUSY: the instance was overloaded").register(metrics);
    }

    /** Queues {@code work} behind its session's earlier actions, or refuses it at once when too much waits. */
    public void submit(Work work) {
        // Timers and presence are never refused: nobody would try them again.
        if (queued.get() >= maxQueued && !work.action().kind().quiet()) {
            refuse(work, retryMs);
            return;
        }
        if (work.action().kind() == BusAction.Kind.CREATE && heapFull.getAsBoolean()) {
            refuse(work, HEAP_RETRY_MS); // the heap frees as rooms close, not in a second
            return;
        }
        Admission.Ticket ticket = null;
        if (!work.action().kind().quiet()) {
            ticket = admission.admit().orElse(null);
            if (ticket == null) {
                refuse(work, retryMs);
                return;
            }
        }
        queued.incrementAndGet();
        Queued entry = new Queued(work, ticket);
        boxes.compute(work.action().session(), (session, box) -> {
            Mailbox b = box == null ? new Mailbox(session) : box;
            b.works.addLast(entry);
            if (!b.running) {
                b.running = true;
                b.since = System.nanoTime();
                Thread.ofVirtual().name("session-" + session).start(b::drain);
            }
            return b;
        });
    }

    /**
     * Waits until no action of a partition {@code which} matches is running or queued (a release: what was
     * accepted is finished before the sessions are handed over). New work must already have stopped arriving.
     */
    public void awaitIdle(IntPredicate which, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (boxes.keySet().stream().anyMatch(s -> which.test(Partitions.of(s, partitions)))) {
            if (System.nanoTime() > deadline) {
                LOG.warning("actions of a released partition still running after " + limit.toMillis() + " ms");
                return;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Drops what waits for the partitions {@code which} matches (their lease is gone; the callers will retry). */
    public void discard(IntPredicate which) {
        for (String session : boxes.keySet()) {
            if (which.test(Partitions.of(session, partitions))) {
                boxes.computeIfPresent(session, (s, box) -> {
                    queued.addAndGet(-box.works.size());
                    box.works.forEach(Queued::dropped);
                    box.works.clear();
                    return box;
                });
            }
        }
    }

    public int queued() {
        return queued.get();
    }

    /** How many players' actions are taken on at once now ({@link Admission}). */
    int limit() {
        return admission.limit();
    }

    /** Players' actions whose step has ended and been counted by the limit ({@link Admission#ended}). */
    long ended() {
        return admission.ended();
    }

    /**
     * How long the longest-stuck mailbox has been on its current step: running one action, or started and not yet
     * running (0 when no mailbox has work). Each wait of an action on the bus has a timeout, but under overload
     * one action may wait out several in a row, so only a figure well past any such chain means this instance is
     * stuck ({@link Watchdog}).
     */
    public long stuckNanos(long now) {
        long oldest = 0;
        for (Mailbox box : boxes.values()) {
            long since = box.since;
            if (since != 0) {
                oldest = Math.max(oldest, now - since);
            }
        }
        return oldest;
    }

    /**
     * How long no mailbox has ended a step (an action answered, failed or refused) while some mailbox has work: 0
     * when none has, else the time since the later of the last step that ended and the start of the oldest step
     * still on. However loaded the bus, steps end every few seconds at most (each wait times out); when none end
     * at all, the action path is stalled ({@link Watchdog}).
     */
    public long stalledNanos(long now) {
        long stuck = stuckNanos(now); // the oldest step still on
        return stuck == 0 ? 0 : Math.min(stuck, now - lastEnded);
    }

    private void refuse(Work work, int retryMs) {
        refused.increment();
        worker.busy(work, retryMs);
    }

    /** A work in a mailbox, with its admission (null for a quiet action, which is never refused). */
    private record Queued(Work work, Admission.Ticket ticket) {
        /** Its step ended: answered, or failed (its sender tries again). */
        void ended(boolean answered) {
            if (ticket != null) {
                if (answered) {
                    ticket.answered();
                } else {
                    ticket.failed();
                }
            }
        }

        /** Dropped unrun (its partition was lost): not a sample of how long steps take. */
        void dropped() {
            if (ticket != null) {
                ticket.ignored();
            }
        }
    }

    private final class Mailbox {
        final String session;
        final ArrayDeque<Queued> works = new ArrayDeque<>();
        boolean running;
        /** When the mailbox started its current step (System.nanoTime); 0 while it is retired. */
        volatile long since;

        Mailbox(String session) {
            this.session = session;
        }

        void drain() {
            while (true) {
                List<Queued> batch = new ArrayList<>(1);
                // Take the next work, or retire the mailbox when it is empty (atomically with submit()).
                boxes.compute(session, (s, box) -> {
                    Queued next = works.pollFirst();
                    if (next == null) {
                        running = false;
                        since = 0;
                        return null;
                    }
                    since = System.nanoTime();
                    batch.add(next);
                    return box;
                });
                if (batch.isEmpty()) {
                    return;
                }
                Queued next = batch.get(0);
                Work work = next.work();
                queued.decrementAndGet();
                boolean answered = false;
                try {
                    if (System.nanoTime() - work.arrived() > maxWaitNanos && !work.action().kind().quiet()) {
                        refuse(work, retryMs); // it waited past its patience: the instance is behind
                    } else {
                        answered = worker.run(work);
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "action " + work.action().key() + " failed", e);
                } finally {
                    next.ended(answered);
                    lastEnded = System.nanoTime();
                }
            }
        }
    }
}
