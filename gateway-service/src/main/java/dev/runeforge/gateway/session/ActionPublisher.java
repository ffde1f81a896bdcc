package dev.runeforge.gateway.session;

import java.io.IOException;
import java.time.Duration;

import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;

/**
 * Publishes actions to {@code rf.act.<partition>.<session>} on JetStream. The message id is the action's key,
 * so a retried publish inside the stream's duplicate window is stored once.
 */
public final class ActionPublisher {
    private final JetStream js;
    private final Subjects subjects;
    private final int partitions;

    public ActionPublisher(Connection nc, Subjects subjects, int partitions) throws IOException {
        this.js = nc.jetStream();
        this.subjects = subjects;
        this.partitions = partitions;
    }

    /** Returns once JetStream has stored the action; throws if it could not within the timeout. */
    public void publish(BusAction action) throws IOException {
        String subject = subjects.action(Partitions.of(action.session(), partitions), action.session());
        try {
            js.publish(subject, Json.bytes(action), PublishOptions.builder()
                    .messageId(action.key())
                    .expectedStream(subjects.actionsStream())
                    .streamTimeout(Duration.ofSeconds(3))
                    .build());
        } catch (JetStreamApiException e) {
            throw new IOException("action not stored: " + e.getMessage(), e);
        }
    }
}
