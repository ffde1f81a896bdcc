package dev.runeforge.gateway.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.session.SessionSummary;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;

/** Session id -> the {@link SessionSummary} its game instance last wrote: who is in it, who hosts it, whether it closed. */
public interface SessionDirectory {
    /** Empty when no summary exists (never was, or expired); throws {@link IOException} when the directory cannot be read. */
    Optional<SessionSummary> find(String session) throws IOException;

    /** The KV bucket {@code <ns>-sessions}, read directly (the game instances write it). */
    static SessionDirectory kv(Connection nc, Subjects subjects) {
        return new Kv(nc, subjects.sessionsBucket());
    }

    final class Kv implements SessionDirectory {
        private static final Logger LOG = Logger.getLogger(SessionDirectory.class.getName());
        /** JetStream's "stream not found": the bucket does not exist (yet): no game instance has written a summary. */
        private static final int NO_STREAM = 10059;

        private final Connection nc;
        private final String bucket;
        private volatile KeyValue kv;

        Kv(Connection nc, String bucket) {
            this.nc = Objects.requireNonNull(nc);
            this.bucket = Objects.requireNonNull(bucket);
        }

        @Override
        public Optional<SessionSummary> find(String session) throws IOException {
            try {
                KeyValue bucketView = kv;
                if (bucketView == null) {
                    try {
                        bucketView = nc.keyValue(bucket);
                    } catch (IOException e) {
                        // jnats looks the bucket up here and wraps the server's answer.
                        if (e.getCause() instanceof JetStreamApiException api && api.getApiErrorCode() == NO_STREAM) {
                            LOG.fine(() -> "session directory " + bucket + " does not exist yet");
                            return Optional.empty();
                        }
                        throw e;
                    }
                    kv = bucketView;
                }
                KeyValueEntry entry = bucketView.get(session);
                if (entry == null || entry.getValue() == null || entry.getValue().length == 0) {
                    return Optional.empty();
                }
                return Optional.of(Json.read(new String(entry.getValue(), StandardCharsets.UTF_8), SessionSummary.class));
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() == NO_STREAM) {
                    LOG.fine(() -> "session directory " + bucket + " does not exist yet");
                    return Optional.empty();
                }
                throw new IOException("session directory: " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new IOException("unreadable summary of session " + session + ": " + e.getMessage(), e);
            }
        }
    }
}
