package dev.runeforge.common.media;

import java.util.Objects;

/**
 * Voice and video (LiveKit) on the bus: the gateway asks media-token-service ({@code Subjects#mediaToken()}) for a
 * LiveKit access token on behalf of a signed-in player, and gets one only while that player is a current member of
 * the session (as the session directory says, never as the client says). Refusals carry these codes.
 */
public final class Voice {
    /** No session summary names the player among the members (never joined, or left). */
    public static final String NOT_A_MEMBER = "NOT_A_MEMBER";
    /** The host removed the player from this session: no voice until the session ends. */
    public static final String BARRED = "BARRED";
    /** The session has ended; its room is gone. */
    public static final String SESSION_CLOSED = "SESSION_CLOSED";
    /** No LiveKit server is configured on this deployment: the client hides voice. */
    public static final String LIVEKIT_NOT_CONFIGURED = "LIVEKIT_NOT_CONFIGURED";

    private Voice() {
    }

    /** Session ids are what the gateway mints (32 hex digits today); anything else is refused before the bus. */
    public static boolean validSession(String session) {
        return session != null && session.matches("[A-Za-z0-9_-]{1,64}");
    }

    /**
     * Request: {@code player} is the authenticated player id (the gateway checked the access token; the bus is the
     * trusted side), {@code session} the session whose room they want to enter.
     */
    public record TokenRequest(String player, String session) {
        public TokenRequest {
            Objects.requireNonNull(player, "player");
            Objects.requireNonNull(session, "session");
            if (player.isBlank()) {
                throw new IllegalArgumentException("player is blank");
            }
            if (!validSession(session)) {
                throw new IllegalArgumentException("session must be 1-64 letters, digits, - or _");
            }
        }
    }

    /**
     * Reply: connect the browser to {@code url} with {@code token} (a LiveKit JWT for {@code room}, identity = the
     * player id) before {@code expiresAt} (epoch seconds). {@code admin} says whether the token may mute or remove
     * others (the session's host).
     */
    public record Token(String url, String token, String room, String identity, String name, boolean admin,
                        long expiresAt) {
        public Token {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(identity, "identity");
        }
    }
}
