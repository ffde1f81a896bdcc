package dev.runeforge.gateway.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Slowloris, closed: a request's line and headers must arrive within {@code http.header.timeout} of its first
 * bytes, however slowly they trickle in (Helidon 4.3 has a size limit for headers but no time limit, and its idle
 * check never interrupts a connection that is reading headers: 300 connections sending a header line every few
 * seconds were all still held after 40 s). Registered as the HTTP/1 receive and send listener: the first bytes of
 * a request start its clock, its headers stop it, its response's status makes the connection idle again (the next
 * request's bytes start a new clock). Bodies and upgraded connections (WebSockets) are not timed here: sockets have
 * their own deadlines ({@link PlayerSocket}). A watchdog closes the TCP connection of every request past its
 * deadline and logs one line for it.
 */
public final class HeaderDeadline implements Http1ConnectionListener, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HeaderDeadline.class.getName());
    /** A connection whose request is past its headers: its bytes are the body, or frames after an upgrade. */
    private static final long IN_REQUEST = -1;

    private final long timeoutNanos;
    /** Connection -> deadline (System.nanoTime) while its headers are awaited, or IN_REQUEST. Weak: no leak. */
    private final Map<ConnectionContext, Long> connections = new WeakHashMap<>();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("http-header-deadline").daemon().factory());

    public HeaderDeadline(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("http.header.timeout must be positive");
        }
        this.timeoutNanos = timeout.toNanos();
        long period = Math.max(100, Math.min(1000, timeout.toMillis() / 4));
        watchdog.scheduleWithFixedDelay(this::closeLate, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void data(ConnectionContext ctx, BufferData data) {
        started(ctx);
    }

    @Override
    public void data(ConnectionContext ctx, byte[] bytes, int offset, int length) {
        started(ctx);
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        started(ctx);
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        synchronized (connections) {
            connections.put(ctx, IN_REQUEST);
        }
    }

    @Override
    public void status(ConnectionContext ctx, Status status) {
        if (status.code() == Status.SWITCHING_PROTOCOLS_101.code()) {
            return; // upgraded: stays IN_REQUEST for good
        }
        synchronized (connections) {
            connections.remove(ctx); // the response is out: the next bytes are a new request
        }
    }

    /** Bytes of a request whose headers are not in yet: start its clock (once). */
    private void started(ConnectionContext ctx) {
        synchronized (connections) {
            connections.putIfAbsent(ctx, System.nanoTime() + timeoutNanos);
        }
    }

    private void closeLate() {
        long now = System.nanoTime();
        List<ConnectionContext> late = new ArrayList<>();
        synchronized (connections) {
            connections.entrySet().removeIf(e -> {
                long deadline = e.getValue();
                if (deadline != IN_REQUEST && now - deadline > 0) {
                    late.add(e.getKey());
                    return true;
                }
                return false;
            });
        }
        for (ConnectionContext ctx : late) {
            LOG.info(() -> "closing a connection from " + ctx.remotePeer().host() + ": no complete request headers within "
                    + Duration.ofNanos(timeoutNanos).toSeconds() + " s");
            try {
                ctx.serverSocket().close();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "closing a slow connection failed", e);
            }
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
