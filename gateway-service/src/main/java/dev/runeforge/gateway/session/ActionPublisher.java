package dev.runeforge.gateway.session;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;

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

    /**
     * Returns once JetStream has stored the action; throws if it could not within the timeout. False when the
     * stream already held an action with this key (a retry inside the duplicate window): this copy was dropped,
     * and the game instance will not answer it again.
     */
    public boolean publish(BusAction action) throws IOException {
        try {
            return !js.publish(subject(action), Json.bytes(action), options(action)).isDuplicate();
        } catch (JetStreamApiException e) {
            throw new IOException("action not stored: " + e.getMessage(), e);
        }
    }

    /**
     * Publishes without waiting, for what the gateway says on its own (presence): actions published this way
     * from one thread are stored in the order they were published. The future fails if it was not stored.
     */
    public CompletableFuture<PublishAck> publishAsync(BusAction action) {
        return js.publishAsync(subject(action), Json.bytes(action), options(action));
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
