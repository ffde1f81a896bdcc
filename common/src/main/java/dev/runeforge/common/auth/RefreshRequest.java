package dev.runeforge.common.auth;

/** {@code rf.auth.refresh} and {@code rf.auth.logout} request: the opaque refresh token from the cookie. */
public record RefreshRequest(String refreshToken) {
    @Override
    public String toString() {
        return "RefreshRequest[...]";
    }
}
