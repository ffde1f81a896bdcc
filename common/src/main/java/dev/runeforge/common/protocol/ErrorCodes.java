package dev.runeforge.common.protocol;

/**
 * Platform error codes carried in {@code error {code, message}}. Codes are strings, not an enum, because
 * each game adds its own (a game's codes live in its package, so a new game touches nothing here).
 */
public final class ErrorCodes {
    public static final String UNAUTHORIZED = "UNAUTHORIZED";
    public static final String BAD_MESSAGE = "BAD_MESSAGE";
    public static final String UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION";
    public static final String HELLO_REQUIRED = "HELLO_REQUIRED";
    public static final String NOT_IN_ROOM = "NOT_IN_ROOM";
    public static final String ALREADY_IN_SESSION = "ALREADY_IN_SESSION";
    public static final String ROOM_NOT_FOUND = "ROOM_NOT_FOUND";
    /** The room's host locked it: nobody new may join (its members may come back). */
    public static final String ROOM_LOCKED = "ROOM_LOCKED";
    public static final String UNKNOWN_GAME = "UNKNOWN_GAME";
    public static final String INVALID_ACTION = "INVALID_ACTION";
    public static final String INVALID_NAME = "INVALID_NAME";
    public static final String FRAME_TOO_LARGE = "FRAME_TOO_LARGE";
    public static final String RATE_LIMITED = "RATE_LIMITED";
    /** A player or a client address holds as many sockets as it may ({@code gateway.connections.*}). */
    public static final String TOO_MANY_CONNECTIONS = "TOO_MANY_CONNECTIONS";
    /** A socket in no room sent nothing but pings for {@code gateway.idle.timeout}: closed. */
    public static final String IDLE_TIMEOUT = "IDLE_TIMEOUT";
    /** The socket's access token expired (past {@code gateway.token.grace}): closed; reconnect with a fresh one. */
    public static final String TOKEN_EXPIRED = "TOKEN_EXPIRED";
    /** A permalink id that cannot be one (a roll id is 16 base64url characters). */
    public static final String INVALID_PERMALINK = "INVALID_PERMALINK";
    /** No such permalink: never made, not (yet) public, or expired. */
    public static final String PERMALINK_NOT_FOUND = "PERMALINK_NOT_FOUND";
    /** No OpenID Connect provider is configured: only guest sign-in. */
    public static final String OIDC_DISABLED = "OIDC_DISABLED";
    /** The caller may not do this to this session or save (not its host, not a member). */
    public static final String FORBIDDEN = "FORBIDDEN";
    /** No such session or save, or none the caller may see (never says which). */
    public static final String NOT_FOUND = "NOT_FOUND";
    // --- REST (/api/*): request shape and limits ---
    /** All ten save slots of the player are taken: delete or overwrite one. */
    public static final String SAVES_FULL = "SAVES_FULL";
    /** A request body over the route's limit (HTTP 413). */
    public static final String BODY_TOO_LARGE = "BODY_TOO_LARGE";
    /** A request body that is not {@code application/json} (HTTP 415). */
    public static final String UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE";
    /** The action was stored but its game did not answer in time; its outcome is unknown (HTTP 504). */
    public static final String TIMEOUT = "TIMEOUT";
    public static final String UNAVAILABLE = "UNAVAILABLE";
    /**
     * The platform is overloaded and did not take the action (it changed nothing): try again after the error's
     * {@code retryMs}. Sent at once instead of queueing the action behind work that cannot finish in time.
     */
    public static final String BUSY = "BUSY";
    public static final String INTERNAL = "INTERNAL";

    private ErrorCodes() {
    }
}
