package dev.runeforge.gateway.session;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.telemetry.Telemetry;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.trace.Span;

/**
 * Publishes actions to {@code rf.act.<partition>.<session>} on JetStream. The message id is the action's key,
 * so a retried publish inside the stream's duplicate window is stored once. Each publish is a PRODUCER span
 * (the root of the action's trace) whose context travels in the message headers.
 */
public final class ActionPublisher {
    private final JetStream js;
    private final Subjects subjects;
    private final int partitions;
    private final Telemetry telemetry;

    public ActionPublisher(Connection nc, Subjects subjects, int partitions) throws IOException {
        this.js = nc.jetStream();
        this.telemetry = Telemetry.of(nc);
        this.subjects = subjects;
        this.partitions = partitions;
    }

    /**
     * Returns once JetStream has stored the action; throws if it could not within the timeout. False when the
     * stream already held an action with this key (a retry inside the duplicate window): this copy was dropped,
     * and the game instance will not answer it again.
     */
    public boolean publish(BusAction action) throws IOException {
        String subject = subject(action);
        Span span = span(action, subject);
        try {
            return !js.publish(subject, telemetry.inject(span, null), Json.bytes(action), options(action)).isDuplicate();
        } catch (JetStreamApiException e) {
            Telemetry.failed(span, e);
            throw new IOException("action not stored: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            Telemetry.failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    /**
     * Publishes without waiting, for what the gateway says on its own (presence): actions published this way
     * from one thread are stored in the order they were published. The future fails if it was not stored.
     */
    public CompletableFuture<PublishAck> publishAsync(BusAction action) {
        String subject = subject(action);
        Span span = span(action, subject);
        Headers headers = telemetry.inject(span, null);
        try {
            return js.publishAsync(subject, headers, Json.bytes(action), options(action));
        } finally {
            span.end(); // handed over; the ack is the caller's
        }
    }

    private Span span(BusAction action, String subject) {
        return telemetry.producer("publish rf.act", subject)
                .setAttribute(Telemetry.MESSAGE_ID, action.key())
                .setAttribute(Telemetry.SESSION, action.session())
                .setAttribute(Telemetry.PLAYER, action.player());
    }

    private String subject(BusAction action) {
        return subjects.action(Partitions.of(action.session(), partitions), action.session());
    }

    private PublishOptions options(BusAction action) {
        return PublishOptions.builder()
                .messageId(action.key())
                .expectedStream(subjects.actionsStream())
                .streamTimeout(Duration.ofSeconds(3))
                .build();
    }
}
