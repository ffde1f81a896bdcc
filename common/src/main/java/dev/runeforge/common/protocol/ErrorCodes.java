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
    public static final String UNKNOWN_GAME = "UNKNOWN_GAME";
    public static final String INVALID_ACTION = "INVALID_ACTION";
    public static final String INVALID_NAME = "INVALID_NAME";
    public static final String FRAME_TOO_LARGE = "FRAME_TOO_LARGE";
    public static final String RATE_LIMITED = "RATE_LIMITED";
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
    public static final String UNAVAILABLE = "UNAVAILABLE";
    public static final String INTERNAL = "INTERNAL";

    private ErrorCodes() {
    }
}
