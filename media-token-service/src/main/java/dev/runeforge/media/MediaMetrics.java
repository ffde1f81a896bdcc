package dev.runeforge.media;

import java.util.HashMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The metrics media-token-service exports for voice, every series registered at zero on start (the alert rules and
 * the LiveKit dashboard in deploy/observability name them, and deploy/observability/metrics.txt lists them):
 * tokens issued; tokens refused by {@code reason}; rooms created and deleted and barred players removed through
 * LiveKit's RoomService; failed LiveKit calls by {@code operation}.
 */
final class MediaMetrics {
    static final String TOKENS_ISSUED = "rf_media_tokens_issued_total";
    static final String TOKENS_REFUSED = "rf_media_tokens_refused_total";
    // Not "rooms_created_total": the Prometheus exporter reads a "_created" suffix as a counter's creation timestamp
    // and renames the series (it came out as rf_media_rooms_total).
    static final String ROOMS_CREATED = "rf_media_room_creations_total";
    static final String ROOMS_DELETED = "rf_media_room_deletions_total";
    static final String PARTICIPANTS_REMOVED = "rf_media_participants_removed_total";
    static final String LIVEKIT_ERRORS = "rf_media_livekit_errors_total";

    static final String OP_TOKEN = "token";
    static final String OP_CREATE_ROOM = "create_room";
    static final String OP_DELETE_ROOM = "delete_room";
    static final String OP_REMOVE_PARTICIPANT = "remove_participant";
    static final String[] OPERATIONS = {OP_TOKEN, OP_CREATE_ROOM, OP_DELETE_ROOM, OP_REMOVE_PARTICIPANT};

    static final String NOT_CONFIGURED = "not_configured";
    static final String NOT_FOUND = "not_found";
    static final String SESSION_CLOSED = "session_closed";
    static final String BARRED = "barred";
    static final String NOT_A_MEMBER = "not_a_member";
    static final String INVALID = "invalid";
    static final String UNAVAILABLE = "unavailable";
    static final String[] REASONS = {NOT_CONFIGURED, NOT_FOUND, SESSION_CLOSED, BARRED, NOT_A_MEMBER, INVALID, UNAVAILABLE};

    private final Counter issued;
    private final Counter roomsCreated;
    private final Counter roomsDeleted;
    private final Counter participantsRemoved;
    private final Map<String, Counter> refused = new HashMap<>();
    private final Map<String, Counter> errors = new HashMap<>();

    MediaMetrics(MeterRegistry registry) {
        issued = Counter.builder(TOKENS_ISSUED).description("LiveKit access tokens issued").register(registry);
        roomsCreated = Counter.builder(ROOMS_CREATED).description("LiveKit rooms created for sessions").register(registry);
        roomsDeleted = Counter.builder(ROOMS_DELETED).description("LiveKit rooms deleted as sessions closed")
                .register(registry);
        participantsRemoved = Counter.builder(PARTICIPANTS_REMOVED)
                .description("barred (kicked) players removed from LiveKit rooms").register(registry);
        for (String reason : REASONS) {
            refused.put(reason, Counter.builder(TOKENS_REFUSED).tag("reason", reason)
                    .description("LiveKit access tokens refused").register(registry));
        }
        for (String operation : OPERATIONS) {
            errors.put(operation, Counter.builder(LIVEKIT_ERRORS).tag("operation", operation)
                    .description("LiveKit calls that failed").register(registry));
        }
    }

    void issued() {
        issued.increment();
    }

    void refused(String reason) {
        Counter c = refused.get(reason);
        if (c == null) {
            throw new IllegalArgumentException("unknown refusal reason " + reason);
        }
        c.increment();
    }

    void livekitError(String operation) {
        Counter c = errors.get(operation);
        if (c == null) {
            throw new IllegalArgumentException("unknown LiveKit operation " + operation);
        }
        c.increment();
    }

    void roomCreated() {
        roomsCreated.increment();
    }

    void roomDeleted() {
        roomsDeleted.increment();
    }

    void participantRemoved() {
        participantsRemoved.increment();
    }
}
