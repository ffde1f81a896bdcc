package dev.runeforge.gateway.auth;

import java.util.List;
import java.util.Optional;

import dev.runeforge.common.auth.TokenClaims;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/** Where a request carries its access token: the {@code rf_token} cookie, or {@code Authorization: Bearer}. */
public final class Credentials {
    private Credentials() {
    }

    public static Optional<String> token(Headers headers) {
        if (headers.contains(HeaderNames.AUTHORIZATION)) {
            String value = headers.get(HeaderNames.AUTHORIZATION).get();
            if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Optional.of(value.substring(7).trim());
            }
        }
        if (headers.contains(HeaderNames.COOKIE)) {
            return cookie(headers.get(HeaderNames.COOKIE).allValues(), TokenClaims.COOKIE);
        }
        return Optional.empty();
    }

    /** The opaque refresh token ({@code rf_refresh} cookie, sent only to {@code /api/auth}). */
    public static Optional<String> refresh(Headers headers) {
        if (!headers.contains(HeaderNames.COOKIE)) {
            return Optional.empty();
        }
        return cookie(headers.get(HeaderNames.COOKIE).allValues(), TokenClaims.REFRESH_COOKIE);
    }

    /** The browser's id ({@code rf_device} cookie): lets a room bar a kicked browser, whatever token it gets next. */
    public static final String DEVICE_COOKIE = "rf_device";
    private static final java.util.regex.Pattern DEVICE = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{16,64}");

    public static Optional<String> device(Headers headers) {
        if (!headers.contains(HeaderNames.COOKIE)) {
            return Optional.empty();
        }
        return cookie(headers.get(HeaderNames.COOKIE).allValues(), DEVICE_COOKIE).filter(d -> DEVICE.matcher(d).matches());
    }

    public static Optional<String> cookie(List<String> cookieHeaders, String name) {
        for (String header : cookieHeaders) {
            for (String part : header.split(";")) {
                String p = part.trim();
                int eq = p.indexOf('=');
                if (eq > 0 && p.substring(0, eq).equals(name)) {
                    return Optional.of(p.substring(eq + 1));
                }
            }
        }
        return Optional.empty();
    }
}
