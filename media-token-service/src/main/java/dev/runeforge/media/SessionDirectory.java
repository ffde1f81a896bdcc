package dev.runeforge.media;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.session.SessionSummary;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;

/**
 * Reads the session directory (KV {@code <ns>-sessions}, written by the game instance that owns each session) to
 * learn who may talk in a session. The directory is the only source of membership: nothing the client says counts.
 */
final class SessionDirectory {
    private static final Logger LOG = Logger.getLogger(SessionDirectory.class.getName());

    private final KeyValue bucket;

    SessionDirectory(KeyValue bucket) {
        this.bucket = Objects.requireNonNull(bucket);
    }

    /**
     * The session's latest summary; empty when there is none (never existed, or deleted). A summary that cannot be
     * read is answered as a refusal (NOT_FOUND), never a crash; an unreachable bucket as UNAVAILABLE.
     */
    Optional<SessionSummary> get(String session) {
        KeyValueEntry entry;
        try {
            entry = bucket.get(session);
        } catch (IOException | JetStreamApiException e) {
            throw new RpcException(ErrorCodes.UNAVAILABLE, "the session directory cannot be read right now");
        }
        if (entry == null || entry.getOperation() != KeyValueOperation.PUT) {
            return Optional.empty();
        }
        return Optional.of(parse(session, entry.getValue()));
    }

    /** A summary, or a NOT_FOUND refusal when the stored value is not one (for this session). */
    static SessionSummary parse(String session, byte[] value) {
        try {
            SessionSummary summary = Json.read(value, SessionSummary.class);
            if (!session.equals(summary.session())) {
                throw new IllegalArgumentException("summary under key " + session + " names session " + summary.session());
            }
            return summary;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "session summary of " + session + " is unreadable: " + e.getMessage());
            throw new RpcException(ErrorCodes.NOT_FOUND, "no such session");
        }
    }
}
