package dev.runeforge.media;

import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.SessionsBucket;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.media.Voice;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.session.SessionSummary;
import io.livekit.server.AccessToken;
import io.livekit.server.CanPublish;
import io.livekit.server.CanPublishData;
import io.livekit.server.CanSubscribe;
import io.livekit.server.RoomAdmin;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;

/**
 * Hands out LiveKit access tokens: only to a current member of an open session who is not barred from it, as the
 * session directory says. The token lets its holder join that session's room only, publish and subscribe media,
 * but not send data messages (the game's own channel is the WebSocket); the session's host also gets roomAdmin (mute
 * or remove others). Identity = player id, name = the name the session knows them by, metadata = {"session": id}.
 */
final class VoiceTokens {
    private static final Logger LOG = Logger.getLogger(VoiceTokens.class.getName());

    private final Optional<LiveKitSettings> settings;
    private final SessionsBucket.Reader directory;
    private final RoomNames rooms;
    private final MediaMetrics metrics;
    private final Clock clock;

    VoiceTokens(Optional<LiveKitSettings> settings, SessionsBucket.Reader directory, RoomNames rooms, MediaMetrics metrics,
                Clock clock) {
        this.settings = Objects.requireNonNull(settings);
        this.directory = Objects.requireNonNull(directory);
        this.rooms = Objects.requireNonNull(rooms);
        this.metrics = Objects.requireNonNull(metrics);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * The session's latest summary. None, or one that cannot be read (for this session), is answered as a refusal
     * (NOT_FOUND), never a crash; an unreachable bucket as UNAVAILABLE.
     */
    private SessionSummary summary(String session) {
        try {
            return directory.find(session).orElseThrow(() -> refuse(MediaMetrics.NOT_FOUND, ErrorCodes.NOT_FOUND,
                    "no such session"));
        } catch (SessionsBucket.UnreadableSummary e) {
            LOG.log(Level.WARNING, e.getMessage());
            throw refuse(MediaMetrics.NOT_FOUND, ErrorCodes.NOT_FOUND, "no such session");
        } catch (java.io.IOException e) {
            throw refuse(MediaMetrics.UNAVAILABLE, ErrorCodes.UNAVAILABLE, "the session directory cannot be read right now");
        }
    }

    /** The bus handler: a {@link Voice.TokenRequest} in, a {@link Voice.Token} out, or a typed refusal. */
    Object handle(byte[] data) {
        Voice.TokenRequest request;
        try {
            request = Json.read(data, Voice.TokenRequest.class);
        } catch (IllegalArgumentException e) {
            metrics.refused(MediaMetrics.INVALID);
            throw new RpcException(ErrorCodes.BAD_MESSAGE, "expected {\"player\": \"...\", \"session\": \"...\"}");
        }
        return issue(request);
    }

    Voice.Token issue(Voice.TokenRequest request) {
        if (settings.isEmpty()) {
            throw refuse(MediaMetrics.NOT_CONFIGURED, Voice.LIVEKIT_NOT_CONFIGURED,
                    "voice is not configured here (no LiveKit server)");
        }
        SessionSummary summary = summary(request.session());
        String player = request.player();
        if (summary.closed()) {
            throw refuse(MediaMetrics.SESSION_CLOSED, Voice.SESSION_CLOSED, "this session has ended");
        }
        // Barred before member: a summary written mid-kick may still list the player among the members.
        if (summary.isBarred(player)) {
            throw refuse(MediaMetrics.BARRED, Voice.BARRED, "you were removed from this session");
        }
        Optional<SessionSummary.Member> member = summary.members().stream().filter(m -> m.id().equals(player)).findFirst();
        if (member.isEmpty()) {
            throw refuse(MediaMetrics.NOT_A_MEMBER, Voice.NOT_A_MEMBER, "you are not in this session");
        }
        LiveKitSettings lk = settings.get();
        boolean admin = player.equals(summary.host());
        String room = rooms.of(summary.session());
        Instant now = clock.instant();
        Instant expires = now.plus(lk.tokenTtl());
        String jwt;
        try {
            AccessToken token = new AccessToken(lk.apiKey(), lk.apiSecret());
            token.setIdentity(player);
            token.setName(member.get().name());
            token.setMetadata(Json.text(java.util.Map.of("session", summary.session())));
            token.setNotBefore(Date.from(now));
            token.setExpiration(Date.from(expires));
            token.addGrants(new RoomJoin(true), new RoomName(room), new CanPublish(true), new CanSubscribe(true),
                    new CanPublishData(false));
            if (admin) {
                token.addGrants(new RoomAdmin(true));
            }
            jwt = token.toJwt();
        } catch (RuntimeException e) {
            metrics.livekitError(MediaMetrics.OP_TOKEN);
            LOG.log(Level.WARNING, "signing a LiveKit token failed: " + e.getClass().getSimpleName());
            throw new RpcException(ErrorCodes.UNAVAILABLE, "voice tokens cannot be made right now");
        }
        metrics.issued();
        LOG.fine(() -> "voice token issued session=" + summary.session() + " player=" + player + " admin=" + admin);
        return new Voice.Token(lk.publicUrl().toString(), jwt, room, player, member.get().name(), admin,
                expires.getEpochSecond());
    }

    private RpcException refuse(String reason, String code, String message) {
        metrics.refused(reason);
        return new RpcException(code, message);
    }
}
