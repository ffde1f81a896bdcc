package dev.runeforge.common.auth;

/** {@code rf.auth.oidc.*} messages between the gateway and auth-service. */
public final class OidcMessages {
    private OidcMessages() {
    }

    /**
     * Start a sign-in; {@code linkGuest} is the verified guest player id of the browser (from its access token),
     * or null; {@code refreshToken} the browser's refresh cookie, if any, so a guest whose access token lapsed is
     * still recognised (auth-service looks it up without spending it).
     */
    public record Login(String linkGuest, String refreshToken) {
        @Override
        public String toString() {
            return "Login[linkGuest=" + linkGuest + "]";
        }
    }

    /** Where to send the browser, and the {@code state} the gateway binds to it in a short-lived cookie. */
    public record Redirect(String redirect, String state) {
    }

    /** The provider's answer at the redirect URI. */
    public record Callback(String code, String state) {
        @Override
        public String toString() {
            return "Callback[...]";
        }
    }
}
