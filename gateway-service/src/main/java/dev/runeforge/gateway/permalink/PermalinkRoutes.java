package dev.runeforge.gateway.permalink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.permalink.Permalink;
import dev.runeforge.common.permalink.PublicRoll;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.gateway.connection.AddressLimiter;
import dev.runeforge.gateway.connection.ClientAddress;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nats.client.Connection;

/**
 * Roll permalinks, public (docs/protocol.md, Permalinks): {@code GET /api/permalink/{id}} (the roll from
 * persistence-service, which has auth-service sign it when served), {@code GET /roll/{id}} (the page that verifies it in
 * the browser) and {@code GET /.well-known/jwks.json} (the keys to verify with).
 *
 * <p>Signing at serve time rather than storing a signature with the row: a retired signing key leaves the JWKS
 * once the access tokens it signed have expired (minutes, not the permalink's 30 days), so a stored signature
 * would stop verifying after the next rotation. A signature made when served always names a published key.
 */
public final class PermalinkRoutes {
    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(3);

    private final Connection nc;
    private final Subjects subjects;
    private final PermalinkPage page;
    private final AddressLimiter reads;
    private final ClientAddress addresses;

    /**
     * @param reads          per-address budget for permalink reads (each costs a database read and a signature)
     * @param addresses  who a request comes from (the peer, or behind a trusted proxy its X-Forwarded-For)
     */
    public PermalinkRoutes(Connection nc, Subjects subjects, AddressLimiter reads, ClientAddress addresses) {
        this.nc = Objects.requireNonNull(nc);
        this.subjects = Objects.requireNonNull(subjects);
        this.reads = Objects.requireNonNull(reads);
        this.addresses = addresses;
        try (InputStream in = PermalinkRoutes.class.getClassLoader().getResourceAsStream("web/roll.html")) {
            if (in == null) {
                throw new IllegalStateException("web/roll.html is missing from the classpath");
            }
            this.page = new PermalinkPage(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void register(HttpRules rules) {
        rules.get("/api/permalink/{id}", this::api)
                .get("/roll/{id}", this::page)
                .get("/.well-known/jwks.json", this::jwks);
    }

    /** False (and a 429 answered) when this address has read too many permalinks lately. */
    private boolean admitted(ServerRequest req, ServerResponse res) {
        if (reads.tryAcquire(addresses.of(req.headers(), req.remotePeer().host()),
                System.nanoTime())) {
            return true;
        }
        res.header(HeaderNames.RETRY_AFTER, Long.toString(reads.retryAfterSeconds()));
        error(res, new RpcException(ErrorCodes.RATE_LIMITED, "too many permalink requests from this address; wait a little"));
        return false;
    }

    private void api(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        String id = req.path().pathParameters().get("id");
        Permalink.Signed signed;
        try {
            valid(id);
            // persistence-service reads the roll and has auth-service sign it: the gateway never asks for a
            // signature itself (the bus refuses it auth.sign.*), so it cannot get anything but a stored roll signed.
            signed = Rpc.request(nc, subjects.dbPermalinkSigned(), new Permalink.Get(id), Permalink.Signed.class,
                    RPC_TIMEOUT);
        } catch (RpcException e) {
            error(res, e);
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", signed.roll().id());
        body.put("roll", signed.roll());
        body.put("expiresAt", signed.expiresAt());
        body.put("canonical", new String(signed.roll().canonical(), StandardCharsets.UTF_8));
        body.put("jws", signed.jws());
        body.put("kid", signed.kid());
        body.put("jwks", "/.well-known/jwks.json");
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        anyOrigin(res);
        // Signed afresh each time (see the class comment): a cached copy could name a key that is gone.
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(Json.text(body));
    }

    /**
     * The page is the same file for every id, with a head that names the roll ({@link PermalinkPage}: title,
     * description, Open Graph and Twitter card tags for link previews, which run no script); its status says what the
     * script will find (200, 400 junk id, 404 unknown or expired, 503), so crawlers and link checkers see the truth
     * and the page explains it.
     */
    private void page(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        Status status = Status.OK_200;
        PermalinkPage.Summary summary;
        try {
            summary = PermalinkPage.of(lookup(req.path().pathParameters().get("id")).roll());
        } catch (RpcException e) {
            status = statusOf(e.code());
            summary = PermalinkPage.missing(status.code());
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(page.render(summary).getBytes(StandardCharsets.UTF_8));
    }

    private void jwks(ServerRequest req, ServerResponse res) {
        Map<?, ?> keys;
        try {
            keys = Rpc.request(nc, subjects.authJwks(), Map.of(), Map.class, RPC_TIMEOUT);
        } catch (RpcException e) {
            error(res, e);
            return;
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/jwk-set+json");
        anyOrigin(res);
        // Short: keys rotate (the next key is published before it signs), and the page refetches on an unknown kid.
        res.header(HeaderNames.CACHE_CONTROL, "public, max-age=60");
        res.send(Json.text(keys));
    }

    /**
     * Public, cookie-free data: any site may fetch it (a third-party verifier, a group's own page). The
     * wildcard never comes with credentials, so it exposes nothing a signed-in player has.
     */
    private static void anyOrigin(ServerResponse res) {
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    }

    private Permalink lookup(String id) {
        valid(id);
        return Rpc.request(nc, subjects.dbPermalinkGet(), new Permalink.Get(id), Permalink.class, RPC_TIMEOUT);
    }

    private static void valid(String id) {
        if (!PublicRoll.validId(id)) {
            throw new RpcException(ErrorCodes.INVALID_PERMALINK,
                    "a permalink id is 16 characters of A-Z, a-z, 0-9, - and _");
        }
    }

    private static Status statusOf(String code) {
        return switch (code) {
            case ErrorCodes.INVALID_PERMALINK, ErrorCodes.BAD_MESSAGE -> Status.BAD_REQUEST_400;
            case ErrorCodes.PERMALINK_NOT_FOUND -> Status.NOT_FOUND_404;
            case ErrorCodes.RATE_LIMITED -> Status.TOO_MANY_REQUESTS_429;
            default -> Status.SERVICE_UNAVAILABLE_503;
        };
    }

    private static void error(ServerResponse res, RpcException e) {
        Status status = statusOf(e.code());
        boolean internal = status == Status.SERVICE_UNAVAILABLE_503;
        res.status(status);
        anyOrigin(res);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(Json.text(Map.of(
                "code", internal ? ErrorCodes.UNAVAILABLE : e.code(),
                "message", internal ? "roll permalinks are unavailable right now; try again shortly" : e.getMessage())));
    }
}
