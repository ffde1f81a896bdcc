package dev.runeforge.gateway.connection;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The gateway's connection metrics. */
public final class GatewayMetrics {
    private final AtomicInteger open = new AtomicInteger();
    private final Counter connects;
    private final Counter disconnects;
    private final Counter refused;
    private final Counter limited;
    private final Counter frames;

    public GatewayMetrics(MeterRegistry registry) {
        Gauge.builder("rf_gateway_connections", open, AtomicInteger::get)
                .description("Open player WebSockets").register(registry);
        connects = Counter.builder("rf_gateway_connects_total").register(registry);
        disconnects = Counter.builder("rf_gateway_disconnects_total").register(registry);
        refused = Counter.builder("rf_gateway_upgrades_refused_total")
                .description("WebSocket upgrades refused (no or bad token, foreign origin)").register(registry);
        limited = Counter.builder("rf_gateway_rate_limited_total").register(registry);
        frames = Counter.builder("rf_gateway_frames_sent_total").register(registry);
    }

    void connected() {
        open.incrementAndGet();
        connects.increment();
    }

    void disconnected() {
        open.decrementAndGet();
        disconnects.increment();
    }

    void refusedUpgrade() {
        refused.increment();
    }

    void rateLimited() {
        limited.increment();
    }

    void sent() {
        frames.increment();
    }
}
