package dev.runeforge.gateway.connection;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Finds the sockets whose client is gone. Helidon 4.3 tells a listener about a close frame, but not about a TCP
 * connection that just ends (a closed laptop lid, a killed tab, a dropped network): without this, such a socket
 * would stay in its room, online for everyone, for ever. Every {@code interval} each open socket is sent a ping
 * (browsers answer with a pong on their own); a socket that cannot be written to, or has not been heard from (any
 * frame, pongs included) for {@code silence}, is closed and leaves its room.
 */
public final class Heartbeat implements AutoCloseable {
    /** What the heartbeat needs of a socket. */
    interface Beating {
        /** Pings, or closes when unreachable or silent since before {@code silentSince} (System.nanoTime). */
        void beat(long silentSince);
    }

    private final Set<Beating> sockets = ConcurrentHashMap.newKeySet();
    private final long silenceNanos;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ws-heartbeat").daemon().factory());

    public Heartbeat(Duration interval, Duration silence) {
        if (silence.compareTo(interval) <= 0) {
            throw new IllegalArgumentException("the silence limit must be longer than the ping interval");
        }
        this.silenceNanos = silence.toNanos();
        timer.scheduleWithFixedDelay(this::beatAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void add(Beating socket) {
        sockets.add(socket);
    }

    void remove(Beating socket) {
        sockets.remove(socket);
    }

    /** Runs {@code task} once after {@code delay} on the heartbeat's thread: keep it short, never a blocking write. */
    void after(Duration delay, Runnable task) {
        try {
            timer.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    java.util.logging.Logger.getLogger(Heartbeat.class.getName())
                            .log(java.util.logging.Level.FINE, "a socket deadline failed", e);
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // the gateway is stopping: every socket is closed anyway
        }
    }

    int size() {
        return sockets.size();
    }

    private void beatAll() {
        long silentSince = System.nanoTime() - silenceNanos;
        for (Beating socket : sockets) {
            try {
                socket.beat(silentSince);
            } catch (RuntimeException e) {
                remove(socket); // never let one socket stop the heartbeat of the others
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
