package dev.runeforge.gateway.connection;

import java.net.URI;
import java.util.Optional;
import java.util.Set;

import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.gateway.auth.AuthRoutes;
import dev.runeforge.gateway.auth.Credentials;
import dev.runeforge.gateway.auth.Principal;
import dev.runeforge.gateway.auth.TokenVerifier;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Who may open a WebSocket: a request from an allowed origin with a valid access token. Helidon asks the
 * listener before it answers 101; a refused upgrade falls through to the plain HTTP route {@code GET /ws},
 * which {@link #refuse} answers with the reason (401 or 403), so nothing is ever upgraded for a stranger.
 */
public final class UpgradeGate {
    private final TokenVerifier verifier;
    private final Set<String> allowedOrigins;

    public UpgradeGate(TokenVerifier verifier, Set<String> allowedOrigins) {
        this.verifier = verifier;
        this.allowedOrigins = Set.copyOf(allowedOrigins);
    }

    public Optional<Principal> admit(Headers headers) {
        if (!originAllowed(headers)) {
            return Optional.empty();
        }
        return Credentials.token(headers).flatMap(verifier::verify);
    }

    /** Browsers always send Origin on a WebSocket upgrade; it must be this site or a configured one. */
    boolean originAllowed(Headers headers) {
        if (!headers.contains(HeaderNames.ORIGIN)) {
            return true; // not a browser; the token decides
        }
        String origin = headers.get(HeaderNames.ORIGIN).get();
        if (allowedOrigins.contains(origin)) {
            return true;
        }
        if (!headers.contains(HeaderNames.HOST)) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            String host = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
            return host.equalsIgnoreCase(headers.get(HeaderNames.HOST).get());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The HTTP answer to a {@code GET /ws} that was not upgraded. */
    public void refuse(ServerRequest req, ServerResponse res) {
        if (!originAllowed(req.headers())) {
            AuthRoutes.error(res, Status.FORBIDDEN_403, "ORIGIN_FORBIDDEN", "this origin may not open a game connection");
        } else if (Credentials.token(req.headers()).flatMap(verifier::verify).isEmpty()) {
            AuthRoutes.error(res, Status.UNAUTHORIZED_401, ErrorCodes.UNAUTHORIZED, "sign in first");
        } else {
            AuthRoutes.error(res, Status.BAD_REQUEST_400, ErrorCodes.BAD_MESSAGE, "a WebSocket upgrade is required");
        }
    }
}
