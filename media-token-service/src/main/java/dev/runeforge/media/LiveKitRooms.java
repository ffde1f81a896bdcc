package dev.runeforge.media;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.livekit.server.RoomServiceClient;
import retrofit2.Call;
import retrofit2.Response;

/**
 * LiveKit's RoomService (Twirp over HTTP, through the server SDK) as the three calls voice needs: create a session's
 * room with our limits, delete it, remove a participant. Each returns whether LiveKit did it; a failure is logged and
 * counted ({@code rf_media_livekit_errors_total{operation}}), never thrown: rooms are a convenience, LiveKit creates
 * one on first join with the defaults of deploy/livekit.yaml (which match ours), and a deleted session's tokens are
 * refused anyway. "Not found" on delete or remove is success: what we wanted is already so.
 */
final class LiveKitRooms {
    private static final Logger LOG = Logger.getLogger(LiveKitRooms.class.getName());

    private final RoomServiceClient client;
    private final LiveKitSettings settings;
    private final MediaMetrics metrics;

    LiveKitRooms(LiveKitSettings settings, MediaMetrics metrics, Duration callTimeout) {
        this.settings = Objects.requireNonNull(settings);
        this.metrics = Objects.requireNonNull(metrics);
        // No HTTP logging (false): the Authorization header carries a signed token.
        this.client = RoomServiceClient.Companion.create(settings.apiBase(), settings.apiKey(), settings.apiSecret(),
                false, b -> b.callTimeout(callTimeout).connectTimeout(callTimeout));
    }

    boolean createRoom(String room) {
        int ok = call(MediaMetrics.OP_CREATE_ROOM, room, null, client.createRoom(room,
                (int) settings.emptyTimeout().toSeconds(), settings.maxParticipants()));
        if (ok == 200) {
            metrics.roomCreated();
            return true;
        }
        return false;
    }

    boolean deleteRoom(String room) {
        int ok = call(MediaMetrics.OP_DELETE_ROOM, room, null, client.deleteRoom(room));
        if (ok == 200 || ok == 404) {
            metrics.roomDeleted();
            return true;
        }
        return false;
    }

    boolean removeParticipant(String room, String identity) {
        int ok = call(MediaMetrics.OP_REMOVE_PARTICIPANT, room, identity, client.removeParticipant(room, identity));
        if (ok == 200) {
            metrics.participantRemoved();
        }
        return ok == 200 || ok == 404;
    }

    /** 200 on success, 404 when LiveKit says there is no such room/participant, -1 on any other failure. */
    private int call(String operation, String room, String identity, Call<?> call) {
        try {
            Response<?> response = call.execute();
            if (response.isSuccessful()) {
                return 200;
            }
            if (response.code() == 404) {
                return 404;
            }
            metrics.livekitError(operation);
            LOG.warning(() -> "LiveKit " + operation + " room=" + room + (identity == null ? "" : " player=" + identity)
                    + " answered HTTP " + response.code());
        } catch (IOException | RuntimeException e) {
            metrics.livekitError(operation);
            LOG.log(Level.WARNING, "LiveKit " + operation + " room=" + room + (identity == null ? "" : " player=" + identity)
                    + " failed: " + e);
        }
        return -1;
    }
}
