package dev.runeforge.gateway.voice;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.media.Voice;
import dev.runeforge.gateway.auth.Principal;
import dev.runeforge.gateway.rest.Api;
import dev.runeforge.gateway.rest.ApiException;
import dev.runeforge.gateway.rest.Requests;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /api/livekit/token {session}}: a LiveKit access token for the signed-in player, from
 * media-token-service, which checks that the player is a current, unbarred member of that session (the session
 * directory decides, not this request). The player id comes from the access token, never from the body.
 *
 * <p>{@code GET /api/livekit}: {@code {enabled, url}}, whether this gateway lets browsers reach a LiveKit server
 * (its {@code livekit.public.url} or {@code livekit.url}, which the Content-Security-Policy then allows). The client
 * asks this first and shows no voice UI when it is off, so a deployment without voice logs no failed requests.
 *
 * <p>Answers of the token route: 200 {@code {url, token, room, identity, name, admin, expiresAt}}; 400 BAD_MESSAGE;
 * 401 UNAUTHORIZED; 403 NOT_A_MEMBER / BARRED; 404 NOT_FOUND / SESSION_CLOSED; 413/415 as every REST body; 503
 * LIVEKIT_NOT_CONFIGURED (voice is off on this deployment: the client hides it) or UNAVAILABLE. Authentication,
 * the body and the mapping of service errors are {@link Api}'s, as for every other resource. Every answer is
 * {@code no-store}: a token is a credential.
 */
public final class VoiceRoutes {
    private static final int MAX_BODY = 512;

    private final Api api;
    private final Requests requests;
    private final Subjects subjects;
    private final Optional<String> publicUrl;

    /** @param publicUrl the LiveKit URL browsers connect to; empty when voice is off on this gateway */
    public VoiceRoutes(Api api, Requests requests, Subjects subjects, Optional<String> publicUrl) {
        this.api = Objects.requireNonNull(api);
        this.requests = Objects.requireNonNull(requests);
        this.subjects = Objects.requireNonNull(subjects);
        this.publicUrl = publicUrl.map(String::strip).filter(s -> !s.isEmpty());
    }

    public void register(HttpRules rules) {
        rules.get("/api/livekit", api.open(this::status))
                .post("/api/livekit/token", api.signedIn(this::token));
    }

    private void status(ServerRequest req, ServerResponse res) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("enabled", publicUrl.isPresent());
        publicUrl.ifPresent(u -> body.put("url", u));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Api.json(res, Status.OK_200, body);
    }

    private void token(Principal who, ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        if (publicUrl.isEmpty()) {
            // The browser could not reach LiveKit anyway: the Content-Security-Policy names no LiveKit origin.
            throw notConfigured("voice is not configured here (no LiveKit server)");
        }
        String session = Api.object(req, MAX_BODY).path("session").asText(null);
        if (!Voice.validSession(session)) {
            throw Api.badRequest("expected JSON {\"session\": \"<session id>\"}");
        }
        Voice.Token token;
        try {
            token = requests.request(subjects.mediaToken(), new Voice.TokenRequest(who.player(), session),
                    Voice.Token.class);
        } catch (RpcException e) {
            if (Voice.LIVEKIT_NOT_CONFIGURED.equals(e.code())) {
                throw notConfigured(e.getMessage());
            }
            throw e;
        }
        Api.json(res, Status.OK_200, token);
    }

    private static ApiException notConfigured(String message) {
        return new ApiException(Status.SERVICE_UNAVAILABLE_503, Voice.LIVEKIT_NOT_CONFIGURED, message);
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
