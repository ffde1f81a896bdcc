package dev.runeforge.game.ownership;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.runeforge.common.bus.Subjects;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;

/**
 * Tells a dead instance from a live one without waiting for its member entry to lapse. Every instance answers on
 * {@code <ns>.game.alive.<id>} with a core NATS subscription, which lives exactly as long as its connection:
 * when a process dies (kill -9, crash, OOM) the kernel closes its socket, the server drops the subscription at
 * once, and a probe gets the server's "no responders" status instead of an answer.
 *
 * <p>Only that definite answer counts, and only when a second probe a moment later says the same: a probe that
 * merely times out (a slow or paused instance, a slow network) says nothing, so such an instance keeps its
 * partitions until its member entry lapses. A false verdict (an instance that was disconnected from NATS for a
 * moment) costs a needless move of its partitions, never correctness: its heartbeat then fails and it abandons
 * them, and the fenced append stops anything it still writes.
 */
final class Liveness implements AutoCloseable {
    /** Between the probe that finds nobody and the one that confirms it. */
    static final Duration CONFIRM_AFTER = Duration.ofMillis(20);
    private static final byte[] EMPTY = new byte[0];

    private final Connection nc;
    private final Subjects subjects;
    private final Duration timeout;
    private final Duration grace;
    private volatile long reconnectedNanos = System.nanoTime();
    private Dispatcher dispatcher;

    /**
     * @param grace how long a peer must stay unreachable ("no responders" on every probe) before it counts as gone
     *              ({@code game.probe.grace}); and how long after our own reconnect nothing is concluded at all
     */
    Liveness(Connection nc, Subjects subjects, Duration timeout, Duration grace) {
        this.nc = nc;
        this.subjects = subjects;
        this.timeout = timeout;
        this.grace = grace;
    }

    /** Our connection came back: peers are coming back too, each at its own pace. */
    void reconnected() {
        reconnectedNanos = System.nanoTime();
    }

    /** Starts answering for {@code id}; returns once the server has the subscription. */
    void answerFor(String id) throws TimeoutException, InterruptedException {
        dispatcher = nc.createDispatcher(msg -> {
            if (msg.getReplyTo() != null) {
                nc.publish(msg.getReplyTo(), EMPTY);
            }
        });
        dispatcher.subscribe(subjects.instanceAlive(id));
        nc.flush(Duration.ofSeconds(5));
    }

    /**
     * Probes {@code others} at once and returns those that answer "no responders" twice, {@link #CONFIRM_AFTER}
     * apart, and on every probe after that for the grace. Nothing is concluded while this instance itself is not
     * connected, nor within the grace after it reconnected.
     */
    Set<String> gone(Collection<String> others) throws InterruptedException {
        if (others.isEmpty() || System.nanoTime() - reconnectedNanos < grace.toNanos()) {
            return Set.of();
        }
        Set<String> suspects = noResponders(others);
        if (suspects.isEmpty()) {
            return suspects;
        }
        Thread.sleep(CONFIRM_AFTER.toMillis());
        suspects = noResponders(suspects);
        // A process that is merely reconnecting (its NATS server restarted, or died and it moves to another of the
        // cluster) has no subscription for a moment either: only one unreachable for the whole grace is gone.
        // Before this, a NATS restart made instances reap each other as they came back one by one, and every
        // partition moved (BusAndDatabaseChaosIT).
        long until = System.nanoTime() + grace.toNanos();
        while (!suspects.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            suspects = noResponders(suspects);
        }
        return System.nanoTime() - reconnectedNanos < grace.toNanos() ? Set.of() : suspects;
    }

    /**
     * Whom to probe on a routine tick: the member after {@code me} in id order (the first after the last), so
     * that N instances send N probes a tick in all, not N × (N − 1), and every member still has a prober.
     */
    static String successor(String me, Collection<String> members) {
        String next = null;
        String first = null;
        for (String m : members) {
            if (m.equals(me)) {
                continue;
            }
            if (first == null || m.compareTo(first) < 0) {
                first = m;
            }
            if (m.compareTo(me) > 0 && (next == null || m.compareTo(next) < 0)) {
                next = m;
            }
        }
        return next != null ? next : first;
    }

    /**
     * Those of {@code others} that answer a probe now: alive and connected, whatever their member entry says (it
     * lapses when the members bucket cannot be written for a ttl, as while a NATS cluster elects a new leader for
     * it, and its owner then joins again).
     */
    Set<String> answering(Collection<String> others) throws InterruptedException {
        return probe(others, Outcome.ANSWERED);
    }

    private Set<String> noResponders(Collection<String> others) throws InterruptedException {
        return probe(others, Outcome.NO_RESPONDERS);
    }

    /** Probes {@code others} at once; those whose probe ended in {@code wanted}. Nobody while we are not connected. */
    private Set<String> probe(Collection<String> others, Outcome wanted) throws InterruptedException {
        if (others.isEmpty() || nc.getStatus() != Connection.Status.CONNECTED) {
            return Set.of();
        }
        Map<String, CompletableFuture<Message>> probes = new HashMap<>();
        for (String other : others) {
            probes.put(other, nc.request(subjects.instanceAlive(other), EMPTY));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> found = new HashSet<>();
        for (var probe : probes.entrySet()) {
            if (outcome(probe.getValue(), deadline) == wanted) {
                found.add(probe.getKey());
            }
        }
        return nc.getStatus() == Connection.Status.CONNECTED ? found : Set.of();
    }

    private enum Outcome { ANSWERED, NO_RESPONDERS, SILENT }

    private static Outcome outcome(CompletableFuture<Message> probe, long deadline) throws InterruptedException {
        try {
            Message reply = probe.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return reply.isStatusMessage() && reply.getStatus().getCode() == 503 ? Outcome.NO_RESPONDERS : Outcome.ANSWERED;
        } catch (CancellationException e) {
            // jnats cancels a plain request's future when the server answers 503 "no responders"
            return Outcome.NO_RESPONDERS;
        } catch (ExecutionException e) {
            return e.getCause() instanceof JetStreamStatusException s && s.getStatus().getCode() == 503
                    ? Outcome.NO_RESPONDERS : Outcome.SILENT;
        } catch (TimeoutException e) {
            probe.cancel(true);
            return Outcome.SILENT;
        }
    }

    @Override
    public void close() {
        if (dispatcher != null) {
            nc.closeDispatcher(dispatcher);
        }
    }
}
