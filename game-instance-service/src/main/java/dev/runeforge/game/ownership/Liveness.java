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
 * Tells a dead instance from a live one without waiting for its leases to lapse. Every instance answers on
 * {@code <ns>.game.alive.<id>} with a core NATS subscription, which lives exactly as long as its connection:
 * when a process dies (kill -9, crash, OOM) the kernel closes its socket, the server drops the subscription at
 * once, and a probe gets the server's "no responders" status instead of an answer.
 *
 * <p>Only that definite answer counts, and only when a second probe a moment later says the same: a probe that
 * merely times out (a slow or paused instance, a slow network) says nothing, so such an instance keeps its
 * partitions until its leases lapse, as before. A false verdict (an instance that was disconnected from NATS
 * for a moment) costs a needless move of its partitions, never correctness: its refresh then fails and it
 * abandons them, and the fenced append stops anything it still writes.
 */
final class Liveness implements AutoCloseable {
    /** Between the probe that finds nobody and the one that confirms it. */
    static final Duration CONFIRM_AFTER = Duration.ofMillis(20);
    private static final byte[] EMPTY = new byte[0];

    private final Connection nc;
    private final Subjects subjects;
    private final Duration timeout;
    private Dispatcher dispatcher;

    Liveness(Connection nc, Subjects subjects, Duration timeout) {
        this.nc = nc;
        this.subjects = subjects;
        this.timeout = timeout;
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
     * apart. Nothing is concluded while this instance itself is not connected.
     */
    Set<String> gone(Collection<String> others) throws InterruptedException {
        Set<String> suspects = noResponders(others);
        if (suspects.isEmpty()) {
            return suspects;
        }
        Thread.sleep(CONFIRM_AFTER.toMillis());
        return noResponders(suspects);
    }

    private Set<String> noResponders(Collection<String> others) throws InterruptedException {
        if (nc.getStatus() != Connection.Status.CONNECTED) {
            return Set.of();
        }
        Map<String, CompletableFuture<Message>> probes = new HashMap<>();
        for (String other : others) {
            probes.put(other, nc.request(subjects.instanceAlive(other), EMPTY));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> silent = new HashSet<>();
        for (var probe : probes.entrySet()) {
            if (outcome(probe.getValue(), deadline) == Outcome.NO_RESPONDERS) {
                silent.add(probe.getKey());
            }
        }
        return nc.getStatus() == Connection.Status.CONNECTED ? silent : Set.of();
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
