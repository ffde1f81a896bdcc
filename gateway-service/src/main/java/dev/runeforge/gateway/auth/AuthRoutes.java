package dev.runeforge.gateway.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.runeforge.common.auth.GuestRequest;
import dev.runeforge.common.auth.IssuedToken;
import dev.runeforge.common.auth.OidcMessages;
import dev.runeforge.gateway.connection.AddressLimiter;
import dev.runeforge.gateway.connection.ClientAddress;
import dev.runeforge.common.auth.RefreshRequest;
import dev.runeforge.common.auth.TokenClaims;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nats.client.Connection;

/** {@code /api/auth/*}: the gateway carries sign-in to auth-service over NATS and keeps the token in a cookie. */
public final class AuthRoutes {
    private static final int MAX_BODY = 1024;

    private final Connection nc;
    private final Subjects subjects;
    private final TokenVerifier verifier;
    private final boolean secureCookies;
    private final AddressLimiter signIns;
    private final ClientAddress addresses;

    /**
     * @param signIns        per-address limit on guest creation and OIDC login/callback requests
     * @param addresses  who a request comes from (the peer, or behind a trusted proxy its X-Forwarded-For)
     */
    public AuthRoutes(Connection nc, Subjects subjects, TokenVerifier verifier, boolean secureCookies,
                      AddressLimiter signIns, ClientAddress addresses) {
        this.nc = nc;
        this.subjects = subjects;
        this.verifier = verifier;
        this.secureCookies = secureCookies;
        this.signIns = signIns;
        this.addresses = addresses;
    }

    /** The OIDC state cookie: only the callback reads it; Lax, because the provider's redirect is cross-site. */
    static final String STATE_COOKIE = "rf_oidc";

    /** The client's address: the socket's peer, or the first X-Forwarded-For when the proxy is trusted. */
    private String address(ServerRequest req) {
        return addresses.of(req.headers(), req.remotePeer().host());
    }

    /** False (and a 429 answered) when this address has made too many sign-in requests. */
    private boolean admitted(ServerRequest req, ServerResponse res) {
        if (signIns.tryAcquire(address(req), System.nanoTime())) {
            return true;
        }
        res.header(HeaderNames.RETRY_AFTER, Long.toString(signIns.retryAfterSeconds()));
        error(res, Status.TOO_MANY_REQUESTS_429, ErrorCodes.RATE_LIMITED, "too many sign-in attempts from this address; wait a little");
        return false;
    }

    /** Starts an OIDC sign-in: a signed-in guest is remembered, to keep their player id (account linking). */
    private void login(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        String linkGuest = Credentials.token(req.headers()).flatMap(verifier::verify)
                .filter(p -> p.roles().contains("guest")).map(Principal::player).orElse(null);
        OidcMessages.Redirect redirect;
        try {
            redirect = Rpc.request(nc, subjects.authOidcLogin(), new OidcMessages.Login(linkGuest,
                            linkGuest == null ? Credentials.refresh(req.headers()).orElse(null) : null),
                    OidcMessages.Redirect.class, Duration.ofSeconds(8));
        } catch (RpcException e) {
            rpcError(res, e);
            return;
        }
        res.headers().add(io.helidon.http.HeaderValues.create(HeaderNames.SET_COOKIE, STATE_COOKIE + "=" + redirect.state()
                + "; Path=/api/auth/callback; Max-Age=600; HttpOnly; SameSite=Lax" + (secureCookies ? "; Secure" : "")));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.LOCATION, redirect.redirect());
        res.status(Status.FOUND_302).send();
    }

    /** The provider sends the browser back here: the state must match this browser's cookie. */
    private void callback(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        var query = req.query();
        if (query.contains("error")) {
            error(res, Status.UNAUTHORIZED_401, ErrorCodes.UNAUTHORIZED, "the sign-in provider did not sign you in");
            return;
        }
        String state = query.first("state").orElse("");
        String code = query.first("code").orElse("");
        String bound = req.headers().contains(HeaderNames.COOKIE)
                ? Credentials.cookie(req.headers().get(HeaderNames.COOKIE).allValues(), STATE_COOKIE).orElse("") : "";
        if (state.isEmpty() || code.isEmpty() || !java.security.MessageDigest.isEqual(
                state.getBytes(java.nio.charset.StandardCharsets.UTF_8), bound.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            error(res, Status.UNAUTHORIZED_401, ErrorCodes.UNAUTHORIZED, "this sign-in was not started in this browser; start again");
            return;
        }
        IssuedToken token;
        try {
            token = Rpc.request(nc, subjects.authOidcCallback(), new OidcMessages.Callback(code, state), IssuedToken.class,
                    Duration.ofSeconds(12));
        } catch (RpcException e) {
            rpcError(res, e);
            return;
        }
        setCookies(res, token);
        res.headers().add(io.helidon.http.HeaderValues.create(HeaderNames.SET_COOKIE, STATE_COOKIE
                + "=; Path=/api/auth/callback; Max-Age=0; HttpOnly; SameSite=Lax" + (secureCookies ? "; Secure" : "")));
        if (Credentials.device(req.headers()).isEmpty()) {
            res.headers().add(io.helidon.http.HeaderValues.create(HeaderNames.SET_COOKIE, deviceCookie()));
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.LOCATION, "/");
        res.status(Status.SEE_OTHER_303).send();
    }

    public void register(HttpRules rules) {
        rules.post("/api/auth/guest", this::guest)
                .get("/api/auth/me", this::me)
                .post("/api/auth/refresh", this::refresh)
                .get("/api/auth/login", this::login)
                .get("/api/auth/callback", this::callback)
                .post("/api/auth/logout", this::logout);
    }

    private void guest(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        GuestRequest body;
        try {
            byte[] data = req.content().inputStream().readNBytes(MAX_BODY + 1);
            if (data.length > MAX_BODY) {
                error(res, Status.BAD_REQUEST_400, ErrorCodes.BAD_MESSAGE, "request body too large");
                return;
            }
            body = Json.read(data, GuestRequest.class);
        } catch (IllegalArgumentException | java.io.IOException e) {
            error(res, Status.BAD_REQUEST_400, ErrorCodes.BAD_MESSAGE, "expected JSON {\"name\": \"...\"}");
            return;
        }
        IssuedToken token;
        try {
            token = Rpc.request(nc, subjects.authGuest(), body, IssuedToken.class, Duration.ofSeconds(3));
        } catch (RpcException e) {
            rpcError(res, e);
            return;
        }
        signedIn(req, res, token);
    }

    /** Sets the access and refresh cookies of a sign-in (and a device cookie the first time) and answers who. */
    public void signedIn(ServerRequest req, ServerResponse res, IssuedToken token) {
        setCookies(res, token);
        if (Credentials.device(req.headers()).isEmpty()) {
            res.headers().add(io.helidon.http.HeaderValues.create(HeaderNames.SET_COOKIE, deviceCookie()));
        }
        json(res, Status.OK_200, Map.of("player", token.player(), "name", token.name(), "expiresAt", token.expiresAt()));
    }

    void setCookies(ServerResponse res, IssuedToken token) {
        long now = Instant.now().getEpochSecond();
        res.headers().add(io.helidon.http.HeaderValues.create(HeaderNames.SET_COOKIE,
                cookie(token.token(), Math.max(0, token.expiresAt() - now))));
        if (token.refreshToken() != null && token.refreshExpiresAt() != null) {
            res.headers().add(io.helidon.http.HeaderValues.create(HeaderNames.SET_COOKIE,
                    refreshCookie(token.refreshToken(), Math.max(0, token.refreshExpiresAt() - now))));
        }
    }

    /** Both tokens rotate: the old refresh token is spent (presenting it again signs this sign-in out everywhere). */
    private void refresh(ServerRequest req, ServerResponse res) {
        var refreshToken = Credentials.refresh(req.headers());
        if (refreshToken.isEmpty()) {
            error(res, Status.UNAUTHORIZED_401, ErrorCodes.UNAUTHORIZED, "no refresh token: sign in");
            return;
        }
        IssuedToken token;
        try {
            token = Rpc.request(nc, subjects.authRefresh(), new RefreshRequest(refreshToken.get()), IssuedToken.class,
                    Duration.ofSeconds(3));
        } catch (RpcException e) {
            if (ErrorCodes.UNAUTHORIZED.equals(e.code())) {
                clearCookies(res);
            }
            rpcError(res, e);
            return;
        }
        setCookies(res, token);
        json(res, Status.OK_200, Map.of("player", token.player(), "name", token.name(), "expiresAt", token.expiresAt()));
    }

    static void rpcError(ServerResponse res, RpcException e) {
        Status status = switch (e.code()) {
            case ErrorCodes.UNAVAILABLE, ErrorCodes.INTERNAL -> Status.SERVICE_UNAVAILABLE_503;
            case ErrorCodes.UNAUTHORIZED -> Status.UNAUTHORIZED_401;
            case ErrorCodes.RATE_LIMITED -> Status.TOO_MANY_REQUESTS_429;
            case ErrorCodes.OIDC_DISABLED -> Status.NOT_FOUND_404;
            default -> Status.BAD_REQUEST_400;
        };
        error(res, status, e.code(), e.getMessage());
    }

    private void me(ServerRequest req, ServerResponse res) {
        var principal = Credentials.token(req.headers()).flatMap(verifier::verify);
        if (principal.isEmpty()) {
            error(res, Status.UNAUTHORIZED_401, ErrorCodes.UNAUTHORIZED, "not signed in");
            return;
        }
        json(res, Status.OK_200, Map.of("player", principal.get().player(), "name", principal.get().name(),
                "expiresAt", principal.get().expiresAt()));
    }

    /** Revokes the refresh token's family, then clears both cookies (the access token lapses within its 15 min). */
    private void logout(ServerRequest req, ServerResponse res) {
        var refreshToken = Credentials.refresh(req.headers());
        if (refreshToken.isPresent()) {
            try {
                Rpc.request(nc, subjects.authLogout(), new RefreshRequest(refreshToken.get()), Map.class, Duration.ofSeconds(3));
            } catch (RpcException e) {
                // The cookies stay: the client can retry, and the session was not revoked.
                rpcError(res, e);
                return;
            }
        }
        clearCookies(res);
        res.status(Status.NO_CONTENT_204).send();
    }

    private void clearCookies(ServerResponse res) {
        res.headers().add(io.helidon.http.HeaderValues.create(HeaderNames.SET_COOKIE, cookie("", 0)));
        res.headers().add(io.helidon.http.HeaderValues.create(HeaderNames.SET_COOKIE, refreshCookie("", 0)));
    }

    private String refreshCookie(String value, long maxAge) {
        return TokenClaims.REFRESH_COOKIE + "=" + value + "; Path=/api/auth; Max-Age=" + maxAge + "; HttpOnly; SameSite=Strict"
                + (secureCookies ? "; Secure" : "");
    }

    /** A new browser id for a year; it proves nothing about the player, it only lets a room recognise a browser. */
    private String deviceCookie() {
        byte[] id = new byte[16];
        DEVICE_IDS.nextBytes(id);
        return Credentials.DEVICE_COOKIE + "=" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(id)
                + "; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict" + (secureCookies ? "; Secure" : "");
    }

    private static final java.security.SecureRandom DEVICE_IDS = new java.security.SecureRandom();

    private String cookie(String value, long maxAge) {
        return TokenClaims.COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAge + "; HttpOnly; SameSite=Strict"
                + (secureCookies ? "; Secure" : "");
    }

    public static void json(ServerResponse res, Status status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(Json.text(body));
    }

    public static void error(ServerResponse res, Status status, String code, String message) {
        json(res, status, Map.of("code", code, "message", message));
    }
}
