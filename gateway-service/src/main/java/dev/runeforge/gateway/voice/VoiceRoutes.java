package dev.runeforge.gateway.voice;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.media.Voice;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.gateway.auth.Credentials;
import dev.runeforge.gateway.auth.Principal;
import dev.runeforge.gateway.auth.TokenVerifier;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nats.client.Connection;

/**
 * {@code POST /api/livekit/token {session}}: a LiveKit access token for the signed-in player, from
 * media-token-service, which checks that the player is a current, unbarred member of that session (the session
 * directory decides, not this request). The player id comes from the access token, never from the body.
 *
 * <p>{@code GET /api/livekit}: {@code {enabled, url}}, whether this gateway lets browsers reach a LiveKit server
 * (its {@code livekit.public.url} or {@code livekit.url}, which the Content-Security-Policy then allows). The client
 * asks this first and shows no voice UI when it is off, so a deployment without voice logs no failed requests.
 *
 * <p>Answers of the token route: 200 {@code {url, token, room, identity, name, admin, expiresAt}}; 400 BAD_MESSAGE; 401 UNAUTHORIZED;
 * 403 NOT_A_MEMBER / BARRED; 404 NOT_FOUND / SESSION_CLOSED; 503 LIVEKIT_NOT_CONFIGURED (voice is off on this
 * deployment: the client hides it) or UNAVAILABLE. Every answer is {@code no-store}: a token is a credential.
 */
public final class VoiceRoutes {
    private static final int MAX_BODY = 512;
    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(3);

    private final Connection nc;
    private final Subjects subjects;
    private final TokenVerifier verifier;
    private final Optional<String> publicUrl;

    /** @param publicUrl the LiveKit URL browsers connect to; empty when voice is off on this gateway */
    public VoiceRoutes(Connection nc, Subjects subjects, TokenVerifier verifier, Optional<String> publicUrl) {
        this.nc = Objects.requireNonNull(nc);
        this.subjects = Objects.requireNonNull(subjects);
        this.verifier = Objects.requireNonNull(verifier);
        this.publicUrl = publicUrl.map(String::strip).filter(s -> !s.isEmpty());
    }

    public void register(HttpRules rules) {
        rules.get("/api/livekit", this::status)
                .post("/api/livekit/token", this::token);
    }

    private void status(ServerRequest req, ServerResponse res) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("enabled", publicUrl.isPresent());
        publicUrl.ifPresent(u -> body.put("url", u));
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(Json.text(body));
    }

    private void token(ServerRequest req, ServerResponse res) {
        Optional<Principal> principal = Credentials.token(req.headers()).flatMap(verifier::verify);
        if (principal.isEmpty()) {
            error(res, Status.UNAUTHORIZED_401, ErrorCodes.UNAUTHORIZED, "not signed in");
            return;
        }
        String session;
        try {
            byte[] data = req.content().inputStream().readNBytes(MAX_BODY + 1);
            JsonNode body = data.length > MAX_BODY ? null : Json.tree(data);
            session = body == null ? null : body.path("session").asText(null);
        } catch (RuntimeException | IOException e) {
            session = null; // not JSON (Json.tree throws unchecked): answered as a bad request below
        }
        if (publicUrl.isEmpty()) {
            // The browser could not reach LiveKit anyway: the Content-Security-Policy names no LiveKit origin.
            error(res, Status.SERVICE_UNAVAILABLE_503, Voice.LIVEKIT_NOT_CONFIGURED,
                    "voice is not configured here (no LiveKit server)");
            return;
        }
        if (!Voice.validSession(session)) {
            error(res, Status.BAD_REQUEST_400, ErrorCodes.BAD_MESSAGE, "expected JSON {\"session\": \"<session id>\"}");
            return;
        }
        Voice.Token token;
        try {
            token = Rpc.request(nc, subjects.mediaToken(), new Voice.TokenRequest(principal.get().player(), session),
                    Voice.Token.class, RPC_TIMEOUT);
        } catch (RpcException e) {
            Status status = statusOf(e.code());
            boolean internal = status == Status.SERVICE_UNAVAILABLE_503 && !Voice.LIVEKIT_NOT_CONFIGURED.equals(e.code());
            error(res, status, internal ? ErrorCodes.UNAVAILABLE : e.code(),
                    internal ? "voice is unavailable right now; the game goes on without it" : e.getMessage());
            return;
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(Json.text(token));
    }

    static Status statusOf(String code) {
        return switch (code) {
            case Voice.NOT_A_MEMBER, Voice.BARRED, ErrorCodes.FORBIDDEN -> Status.FORBIDDEN_403;
            case ErrorCodes.NOT_FOUND, Voice.SESSION_CLOSED -> Status.NOT_FOUND_404;
            case ErrorCodes.BAD_MESSAGE -> Status.BAD_REQUEST_400;
            case ErrorCodes.UNAUTHORIZED -> Status.UNAUTHORIZED_401;
            default -> Status.SERVICE_UNAVAILABLE_503; // LIVEKIT_NOT_CONFIGURED, UNAVAILABLE, INTERNAL
        };
    }

    private static void error(ServerResponse res, Status status, String code, String message) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(Json.text(Map.of("code", code, "message", message)));
    }

    /**
     * The Content-Security-Policy {@code connect-src} sources the browser needs to reach LiveKit at {@code url} (the
     * public LiveKit URL, {@code livekit.public.url} or {@code livekit.url}): its WebSocket origin and the HTTP(S)
     * origin livekit-client probes after a failed connect. Empty when voice is off.
     */
    public static List<String> connectSources(Optional<String> url) {
        List<String> out = new ArrayList<>();
        url.map(String::strip).filter(s -> !s.isEmpty()).ifPresent(s -> {
            URI uri = URI.create(s);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("livekit.url must be an absolute URL: " + s);
            }
            String authority = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
            boolean secure = "wss".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            out.add((secure ? "wss://" : "ws://") + authority);
            out.add((secure ? "https://" : "http://") + authority);
        });
        return out;
    }
}
