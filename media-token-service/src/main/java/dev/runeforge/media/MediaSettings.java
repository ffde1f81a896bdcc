package dev.runeforge.media;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.service.RuntimeSettings;

/**
 * Every setting media-token-service reads (docs/operations.md, Configuration and Voice), read once by {@link Main};
 * each default is stated here or in {@link LiveKitSettings#from} and nowhere else.
 *
 * @param sessionsTtl {@code game.sessions.ttl}: the session directory bucket's TTL (this service may create it)
 * @param livekit     the LiveKit server, or empty: voice off
 * @param callTimeout {@code livekit.call.timeout}: the longest a RoomService call may take
 */
record MediaSettings(RuntimeSettings runtime, Duration sessionsTtl, Optional<LiveKitSettings> livekit,
                     Duration callTimeout) {
    static final int ADMIN_PORT = 9084;

    MediaSettings {
        Objects.requireNonNull(runtime);
        Objects.requireNonNull(sessionsTtl);
        Objects.requireNonNull(livekit);
        Objects.requireNonNull(callTimeout);
    }

    static MediaSettings read(ServiceConfig c) {
        RuntimeSettings runtime = RuntimeSettings.read(c, ADMIN_PORT);
        Duration sessionsTtl = c.duration("game.sessions.ttl", NatsClients.SESSIONS_TTL);
        Optional<LiveKitSettings> livekit = LiveKitSettings.from(c);
        Duration callTimeout = c.duration("livekit.call.timeout", Duration.ofSeconds(5));
        return new MediaSettings(runtime, sessionsTtl, livekit, callTimeout);
    }
}
