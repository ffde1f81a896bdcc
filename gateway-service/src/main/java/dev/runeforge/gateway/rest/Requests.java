package dev.runeforge.gateway.rest;

import java.time.Duration;
import java.util.Objects;

import dev.runeforge.common.bus.Rpc;
import io.nats.client.Connection;

/**
 * Request-reply to the platform's services, the port REST routes query through: a failure is a
 * {@link dev.runeforge.common.bus.RpcException} with the service's code (NOT_FOUND, FORBIDDEN, SAVES_FULL, ...),
 * or UNAVAILABLE when nobody answers in time.
 */
public interface Requests {
    <T> T request(String subject, Object body, Class<T> type);

    /** Over NATS, each request bounded by {@code timeout}. */
    static Requests nats(Connection nc, Duration timeout) {
        Objects.requireNonNull(nc);
        Objects.requireNonNull(timeout);
        return new Requests() {
            @Override
            public <T> T request(String subject, Object body, Class<T> type) {
                return Rpc.request(nc, subject, body, type, timeout);
            }
        };
    }
}
