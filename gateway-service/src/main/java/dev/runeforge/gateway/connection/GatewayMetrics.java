package dev.runeforge.gateway.connection;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The gateway's connection metrics. Every meter is registered up front (counters at zero), so dashboards and
 * alerts see each series from the first scrape, not only after the first event of its kind.
 */
public final class GatewayMetrics {
    /** The per-socket message limit ({@code gateway.rate.*}). */
    public static final String MESSAGES = "messages";
    /** Rooms created per client address ({@code gateway.rooms.*}). */
    public static final String ROOMS = "rooms";
    /** Guest and OIDC sign-ins per client address ({@code gateway.signin.*}). */
    public static final String SIGNIN = "signin";
    /** Permalink reads per client address ({@code gateway.permalinks.*}). */
    public static final String PERMALINKS = "permalinks";
    /** Replays asked without signing in, per client address ({@code gateway.replays.*}). */
    public static final String REPLAYS = "replays";
    /** Joins by room code refused after too many codes that found no room ({@code gateway.join.misses.*}). */
    public static final String JOINS = "joins";

    private final AtomicInteger open = new AtomicInteger();
    private final MeterRegistry registry;
    private final Counter connects;
    private final Counter disconnects;
    private final Counter resumes;
    private final Counter refused;
    private final Counter frames;
    private final Timer roundTrip;

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("rf_gateway_connections", open, AtomicInteger::get)
                .description("Open player WebSockets (players online on this gateway)").register(registry);
        connects = Counter.builder("rf_gateway_connects_total").description("Player WebSockets opened")
                .register(registry);
        disconnects = Counter.builder("rf_gateway_disconnects_total")
                .description("Player WebSockets closed (by either side, or silent past the heartbeat)").register(registry);
        resumes = Counter.builder("rf_gateway_resumes_total")
                .description("Reconnected sockets asking to resume their session").register(registry);
        refused = Counter.builder("rf_gateway_upgrades_refused_total")
                .description("WebSocket upgrades refused (no or bad token, foreign origin)").register(registry);
        for (String limit : new String[] {MESSAGES, ROOMS, SIGNIN, PERMALINKS, REPLAYS, JOINS}) {
            limitCounter(limit);
        }
        frames = Counter.builder("rf_gateway_frames_sent_total").description("Frames sent to players")
                .register(registry);
        roundTrip = Timer.builder("rf_gateway_heartbeat_rtt_seconds")
                .description("WebSocket round trip: heartbeat ping sent to pong received")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    private Counter limitCounter(String limit) {
        return Counter.builder("rf_gateway_rate_limited_total").tag("limit", limit)
                .description("Requests refused by a rate limit").register(registry);
    }

    void connected() {
        open.incrementAndGet();
        connects.increment();
    }

    void disconnected() {
        open.decrementAndGet();
        disconnects.increment();
    }

    void resumed() {
        resumes.increment();
    }

    void refusedUpgrade() {
        refused.increment();
    }

    /** A request refused by {@code limit} (one of the constants above). */
    public void rateLimited(String limit) {
        limitCounter(limit).increment();
    }

    void sent() {
        frames.increment();
    }

    void roundTrip(long nanos) {
        roundTrip.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
