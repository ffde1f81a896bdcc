package dev.runeforge.gateway.connection;

import java.util.Optional;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * Who a request comes from, for per-address limits: the TCP peer, or, behind a reverse proxy the operator trusts
 * ({@code http.forwarded.trust=true}), the first address of {@code X-Forwarded-For}. Never trust that header
 * otherwise: any client can write it.
 */
public final class ClientAddress {
    private static final HeaderName X_FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");

    private ClientAddress() {
    }

    /** The proxy's word for the client, when trusted and present. */
    public static Optional<String> forwarded(Headers headers, boolean trustForwarded) {
        if (!trustForwarded) {
            return Optional.empty();
        }
        return headers.first(X_FORWARDED_FOR).map(v -> v.split(",")[0].trim()).filter(v -> !v.isEmpty());
    }

    public static String of(Headers headers, String peerHost, boolean trustForwarded) {
        return forwarded(headers, trustForwarded).orElse(peerHost);
    }
}
