package dev.runeforge.common.telemetry;

import java.util.List;

import io.nats.client.impl.Headers;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

/** W3C trace context ({@code traceparent}, {@code tracestate}) read from and written to NATS message headers. */
final class NatsHeaders {
    static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
            return carrier == null ? List.of() : carrier.keySet();
        }

        @Override
        public String get(Headers carrier, String key) {
            return carrier == null ? null : carrier.getFirst(key);
        }
    };

    /** Replaces the value: a re-injected header must not carry two parents. */
    static final TextMapSetter<Headers> SETTER = (carrier, key, value) -> {
        if (carrier != null) {
            carrier.put(key, value);
        }
    };

    private NatsHeaders() {
    }
}
