package dev.runeforge.gateway.rest;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.media.Voice;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.gateway.auth.AuthRoutes;
import dev.runeforge.gateway.auth.Credentials;
import dev.runeforge.gateway.auth.Principal;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * What every {@code /api/*} resource route shares: who is calling (the {@code rf_token} cookie or
 * {@code Authorization: Bearer}, as for the WebSocket), reading a JSON body within a size limit, and the one
 * place where failures become typed {@code {code, message}} answers with their HTTP status.
 */
public final class Api {
    private static final Logger LOG = Logger.getLogger(Api.class.getName());
    private static final ObjectReader STRICT = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Checks an access token: the platform's {@code TokenVerifier::verify}, or a test's fake. */
    @FunctionalInterface
    public interface Authenticator {
        Optional<Principal> verify(String token);
    }

    /** A route anyone may call. */
    @FunctionalInterface
    public interface Open {
        void handle(ServerRequest req, ServerResponse res) throws Exception;
    }

    /** A route for a signed-in player: it only runs with a valid access token. */
    @FunctionalInterface
    public interface SignedIn {
        void handle(Principal who, ServerRequest req, ServerResponse res) throws Exception;
    }

    /**
     * A route anyone may call that does more for a signed-in player: {@code who} is empty without a valid access
     * token (none, expired or forged alike: a stale cookie must not lock a visitor out of what is public).
     */
    @FunctionalInterface
    public interface MaybeSignedIn {
        void handle(Optional<Principal> who, ServerRequest req, ServerResponse res) throws Exception;
    }

    private final Authenticator authenticator;

    public Api(Authenticator authenticator) {
        this.authenticator = Objects.requireNonNull(authenticator);
    }

    public Handler open(Open route) {
        return (req, res) -> run(res, () -> route.handle(req, res));
    }

    public Handler signedIn(SignedIn route) {
        return (req, res) -> run(res, () -> route.handle(principal(req), req, res));
    }

    public Handler maybeSignedIn(MaybeSignedIn route) {
        return (req, res) -> run(res, () -> route.handle(Credentials.token(req.headers())
                .flatMap(authenticator::verify), req, res));
    }

    private Principal principal(ServerRequest req) {
        return Credentials.token(req.headers()).flatMap(authenticator::verify).orElseThrow(() ->
                new ApiException(Status.UNAUTHORIZED_401, ErrorCodes.UNAUTHORIZED,
                        "not signed in: send the rf_token cookie or Authorization: Bearer <access token>"));
    }

    private interface Work {
        void run() throws Exception;
    }

    private static void run(ServerResponse res, Work work) {
        try {
            work.run();
        } catch (ApiException e) {
            error(res, e.status(), e.code(), e.getMessage());
        } catch (RpcException e) {
            Status status = statusOf(e.code());
            if (status == Status.SERVICE_UNAVAILABLE_503) {
                LOG.log(Level.WARNING, () -> "request failed: " + e.code() + " " + e.getMessage());
                error(res, status, ErrorCodes.UNAVAILABLE, "a service this needs is unavailable right now; try again shortly");
            } else {
                error(res, status, e.code(), e.getMessage());
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "request failed", e);
            error(res, Status.INTERNAL_SERVER_ERROR_500, ErrorCodes.INTERNAL, "internal error");
        }
    }

    /** The HTTP status of a platform error code from a service. */
    public static Status statusOf(String code) {
        return switch (code) {
            case ErrorCodes.UNAUTHORIZED -> Status.UNAUTHORIZED_401;
            case ErrorCodes.FORBIDDEN, Voice.NOT_A_MEMBER, Voice.BARRED -> Status.FORBIDDEN_403;
            case ErrorCodes.NOT_FOUND, Voice.SESSION_CLOSED -> Status.NOT_FOUND_404;
            case ErrorCodes.SAVES_FULL -> Status.CONFLICT_409;
            case ErrorCodes.BODY_TOO_LARGE -> Status.REQUEST_ENTITY_TOO_LARGE_413;
            case ErrorCodes.UNSUPPORTED_MEDIA_TYPE -> Status.UNSUPPORTED_MEDIA_TYPE_415;
            case ErrorCodes.RATE_LIMITED -> Status.TOO_MANY_REQUESTS_429;
            case ErrorCodes.TIMEOUT -> Status.GATEWAY_TIMEOUT_504;
            case ErrorCodes.UNAVAILABLE, ErrorCodes.INTERNAL -> Status.SERVICE_UNAVAILABLE_503;
            default -> Status.BAD_REQUEST_400;
        };
    }

    public static void json(ServerResponse res, Status status, Object body) {
        AuthRoutes.json(res, status, body);
    }

    public static void error(ServerResponse res, Status status, String code, String message) {
        if (res.isSent()) {
            return;
        }
        AuthRoutes.error(res, status, code, message);
    }

    /**
     * Registered after every {@code /api/} route: anything else under {@code /api/} (an unknown resource, or a
     * method a resource does not have) is a typed 404 too, never the server's plain-text page.
     */
    public static void unknown(ServerRequest req, ServerResponse res) {
        error(res, Status.NOT_FOUND_404, ErrorCodes.NOT_FOUND,
                "no such resource: " + req.prologue().method().text() + " " + req.path().path());
    }

    public static ApiException badRequest(String message) {
        return new ApiException(Status.BAD_REQUEST_400, ErrorCodes.BAD_MESSAGE, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(Status.NOT_FOUND_404, ErrorCodes.NOT_FOUND, message);
    }

    /**
     * The request's JSON object body: 415 unless it is {@code application/json} (UTF-8), 413 over
     * {@code maxBytes} (by Content-Length, or by reading one byte past the limit), 400 when empty, malformed or
     * not an object, with a message saying which.
     */
    public static JsonNode object(ServerRequest req, int maxBytes) {
        Optional<HttpMediaType> type = req.headers().contentType();
        if (type.isEmpty() || !isJson(type.get())) {
            throw new ApiException(Status.UNSUPPORTED_MEDIA_TYPE_415, ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
                    "send the body as Content-Type: application/json");
        }
        OptionalLong length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        byte[] data;
        try {
            data = req.content().inputStream().readNBytes(maxBytes + 1);
        } catch (IOException | RuntimeException e) {
            throw badRequest("the request body could not be read");
        }
        if (data.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        if (data.length == 0) {
            throw badRequest("the request body is empty: expected a JSON object");
        }
        JsonNode node;
        try {
            node = STRICT.readTree(data);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw badRequest("malformed JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw badRequest("malformed JSON");
        }
        if (node == null || !node.isObject()) {
            throw badRequest("expected a JSON object");
        }
        return node;
    }

    /** {@link #object} read as {@code type}; a field of the wrong type or a failed validation is a 400 saying why. */
    public static <T> T object(ServerRequest req, int maxBytes, Class<T> type) {
        JsonNode node = object(req, maxBytes);
        try {
            return Json.convert(node, type);
        } catch (IllegalArgumentException e) {
            throw badRequest("invalid request: " + e.getMessage());
        }
    }

    public static ApiException tooLarge(int maxBytes) {
        return new ApiException(Status.REQUEST_ENTITY_TOO_LARGE_413, ErrorCodes.BODY_TOO_LARGE,
                "the request body is larger than " + (maxBytes >= 1024 ? maxBytes / 1024 + " KiB" : maxBytes + " bytes"));
    }

    private static boolean isJson(HttpMediaType type) {
        boolean json = "application".equalsIgnoreCase(type.type())
                && ("json".equalsIgnoreCase(type.subtype()) || type.subtype().toLowerCase(java.util.Locale.ROOT).endsWith("+json"));
        return json && type.charset().map(c -> c.equalsIgnoreCase("utf-8")).orElse(true);
    }
}
