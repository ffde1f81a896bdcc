package dev.runeforge.gateway.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.SessionsBucket;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.save.Saves;
import dev.runeforge.common.session.SessionHistory;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.gateway.auth.Credentials;
import dev.runeforge.gateway.auth.Principal;
import dev.runeforge.gateway.connection.AddressLimiter;
import dev.runeforge.gateway.connection.ClientAddress;
import dev.runeforge.gateway.connection.PlayerSocket;
import dev.runeforge.gateway.rest.Api;
import dev.runeforge.gateway.rest.ApiException;
import dev.runeforge.gateway.rest.Requests;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/sessions}: sessions of any game over HTTP (docs/protocol.md, REST). Creating, joining and ending go
 * through the action path like a socket's messages ({@link SessionActions}); reading comes from the session
 * directory the game instances write ({@link SessionsBucket}); a player's list and replays are queries to
 * persistence-service and game-instance-service. A session the caller is not a member of (or is barred from)
 * does not exist as far as these routes say: 404, never data. The one exception is a finished session's replay,
 * which is public by link, as a roll's permalink is (the game instance decides what an outsider may see of it).
 */
public final class SessionRoutes {
    /** Session ids end up in NATS subjects: the client id alphabet, as the WebSocket protocol's. */
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** A create's settings may be a whole scenario (a save's data is up to 256 KiB), plus the envelope. */
    static final int MAX_CREATE_BODY = Saves.MAX_DATA_BYTES + 4096;
    static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");
    private static final Pattern IDEMPOTENCY = Pattern.compile("[A-Za-z0-9_-]{1,48}");

    private final Api api;
    private final SessionActions actions;
    private final SessionsBucket.Reader directory;
    private final Requests requests;
    private final Subjects subjects;
    private final AddressLimiter rooms;
    private final AddressLimiter publicReplays;
    private final ClientAddress addresses;

    /**
     * @param rooms          per-address room creation budget, shared with the WebSocket {@code create}
     * @param publicReplays  per-address budget for replays asked without signing in (each folds a whole log)
     * @param addresses  who a request comes from (the peer, or behind a trusted proxy its X-Forwarded-For)
     */
    public SessionRoutes(Api api, SessionActions actions, SessionsBucket.Reader directory, Requests requests,
                         Subjects subjects, AddressLimiter rooms, AddressLimiter publicReplays,
                         ClientAddress addresses) {
        this.api = Objects.requireNonNull(api);
        this.actions = Objects.requireNonNull(actions);
        this.directory = Objects.requireNonNull(directory);
        this.requests = Objects.requireNonNull(requests);
        this.subjects = Objects.requireNonNull(subjects);
        this.rooms = Objects.requireNonNull(rooms);
        this.publicReplays = Objects.requireNonNull(publicReplays);
        this.addresses = addresses;
    }

    public void register(HttpRules rules) {
        rules.post("/api/sessions", api.signedIn(this::create))
                .get("/api/sessions", api.signedIn(this::mine))
                .get("/api/sessions/{id}", api.signedIn(this::details))
                .delete("/api/sessions/{id}", api.signedIn(this::end))
                .post("/api/sessions/{id}/join", api.signedIn(this::join))
                .get("/api/sessions/{id}/replay", api.maybeSignedIn(this::replay));
    }

    /** {@code POST /api/sessions} body. */
    record CreateRequest(String game, JsonNode settings, Integer save) {
    }

    /** A session as a member sees it over REST. */
    record SessionView(String session, String game, String code, String host, List<SessionSummary.Member> members,
                       boolean closed) {
        static SessionView of(SessionSummary s) {
            return new SessionView(s.session(), s.game(), s.code(), s.host(), s.members(), s.closed());
        }
    }

    private void create(Principal who, ServerRequest req, ServerResponse res) {
        CreateRequest body = Api.object(req, MAX_CREATE_BODY, CreateRequest.class);
        String game = body.game();
        JsonNode settings = body.settings();
        if (body.save() != null) {
            if (settings != null && !settings.isNull()) {
                throw Api.badRequest("give settings or save, not both: a save's data are the settings");
            }
            if (body.save() < 1 || body.save() > Saves.SLOTS) {
                throw Api.badRequest("save must be a slot from 1 to " + Saves.SLOTS);
            }
            // Another player's slot is simply not found: saves are looked up among the caller's own.
            Saves.Save save = requests.request(subjects.dbSavesGet(), new Saves.Slot(who.player(), body.save()),
                    Saves.Save.class);
            if (game != null && !game.equals(save.game())) {
                throw Api.badRequest("save " + body.save() + " is a " + save.game() + " save, not " + game);
            }
            game = save.game();
            settings = save.data();
        }
        if (game == null || !Saves.GAME_ID.matcher(game).matches()) {
            throw Api.badRequest("game is required: a game id such as \"dice\"");
        }
        if (settings == null || settings.isNull()) {
            settings = JsonNodeFactory.instance.objectNode();
        } else if (!settings.isObject()) {
            throw Api.badRequest("settings must be a JSON object");
        }
        if (!rooms.tryAcquire(addresses.of(req.headers(), req.remotePeer().host()), System.nanoTime())) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(rooms.retryAfterSeconds()));
            throw new ApiException(Status.TOO_MANY_REQUESTS_429, PlayerSocket.RATE_LIMIT,
                    "too many new rooms from your network; try again in " + rooms.retryAfterSeconds() + " s");
        }
        // With an Idempotency-Key, a retried create (after a 504, a dropped connection) names the same session and
        // the same action: JetStream drops the copy, or the game recognises it and answers as the first time.
        String key = idempotencyKey(req);
        String session = key == null ? UUID.randomUUID().toString().replace("-", "") : sessionFor(who, key);
        SessionActions.Answer.Accepted accepted = accepted(
                send(key == null ? null : "idem-" + key, BusAction.Kind.CREATE, session, who, req, game, settings),
                Status.BAD_REQUEST_400);
        res.header(HeaderNames.LOCATION, "/api/sessions/" + session);
        Api.json(res, Status.CREATED_201, created(accepted, game));
    }

    private void join(Principal who, ServerRequest req, ServerResponse res) {
        String session = sessionId(req);
        SessionActions.Answer.Accepted accepted = accepted(
                send(null, BusAction.Kind.JOIN, session, who, req, null, null), Status.CONFLICT_409);
        Api.json(res, Status.OK_200, created(accepted, accepted.game()));
    }

    private void details(Principal who, ServerRequest req, ServerResponse res) {
        Api.json(res, Status.OK_200, SessionView.of(visible(who, sessionId(req))));
    }

    private void end(Principal who, ServerRequest req, ServerResponse res) {
        SessionSummary summary = visible(who, sessionId(req));
        if (!who.player().equals(summary.host())) {
            throw new ApiException(Status.FORBIDDEN_403, ErrorCodes.FORBIDDEN, "only the session's host can end it");
        }
        if (!summary.closed()) {
            accepted(send(null, BusAction.Kind.END, summary.session(), who, req, null, null), Status.CONFLICT_409);
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    private void mine(Principal who, ServerRequest req, ServerResponse res) {
        if (!"true".equals(req.query().first("mine").orElse(null))) {
            throw Api.badRequest("sessions are listed only for their members: GET /api/sessions?mine=true");
        }
        SessionHistory.Sessions reply = requests.request(subjects.dbSessionsMine(),
                new SessionHistory.PlayerQuery(who.player()), SessionHistory.Sessions.class);
        Api.json(res, Status.OK_200, Map.of("sessions", reply.sessions().stream().map(SessionView::of).toList()));
    }

    /**
     * A replay as the caller may see it: a member (or a former member of a finished session) as themselves; anyone
     * else, signed in or not, only once the session is finished, and then as an outsider (the game instance's
     * {@code game.replay} decides; a finished session's replay is public by link). Someone who is not signed in and
     * asks for a session still being played is told to sign in (401): if they are in it, that is all they need.
     */
    private void replay(Optional<Principal> who, ServerRequest req, ServerResponse res) {
        String session = sessionId(req);
        if (who.isEmpty()
                && !publicReplays.tryAcquire(addresses.of(req.headers(), req.remotePeer().host()), System.nanoTime())) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(publicReplays.retryAfterSeconds()));
            throw new ApiException(Status.TOO_MANY_REQUESTS_429, ErrorCodes.RATE_LIMITED,
                    "too many replays from your network; try again in " + publicReplays.retryAfterSeconds() + " s");
        }
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("session", session);
        who.ifPresent(p -> query.put("viewer", p.player()));
        // One reply is one page (game.replay caps its steps and size): ?after=<last seq> asks for the next one.
        String after = req.query().first("after").orElse(null);
        if (after != null) {
            if (!after.matches("\\d{1,18}")) {
                throw Api.badRequest("after is the seq of the last step you have: a whole number");
            }
            query.put("after", Long.parseLong(after));
        }
        JsonNode replay;
        try {
            replay = requests.request(subjects.gameReplay(), query, JsonNode.class);
        } catch (RpcException e) {
            if (who.isEmpty() && ErrorCodes.FORBIDDEN.equals(e.code())) {
                throw new ApiException(Status.UNAUTHORIZED_401, ErrorCodes.UNAUTHORIZED,
                        "this session is still being played: only its players may watch the replay until it ends;"
                                + " sign in if you are one of them");
            }
            throw e;
        }
        Api.json(res, Status.OK_200, replay);
    }

    /** The session's summary when {@code who} is a member and not barred; otherwise 404, as if it did not exist. */
    private SessionSummary visible(Principal who, String session) {
        SessionSummary summary;
        try {
            summary = directory.find(session).orElse(null);
        } catch (IOException e) {
            // Unavailable, not "not found": a reader must not conclude the session is gone.
            throw new RpcException(ErrorCodes.UNAVAILABLE, e.getMessage());
        }
        if (summary == null || !summary.isMember(who.player()) || summary.isBarred(who.player())) {
            throw noSession();
        }
        return summary;
    }

    /** {@code Idempotency-Key}: 1 to 48 of A-Z a-z 0-9 - _ (it becomes part of an action id), or null. */
    private static String idempotencyKey(ServerRequest req) {
        if (!req.headers().contains(IDEMPOTENCY_KEY)) {
            return null;
        }
        String key = req.headers().get(IDEMPOTENCY_KEY).get().trim();
        if (!IDEMPOTENCY.matcher(key).matches()) {
            throw Api.badRequest("Idempotency-Key must be 1 to 48 letters, digits, '-' or '_'");
        }
        return key;
    }

    /** The session a player's create with this key opens: the same every time, and no one else's. */
    static String sessionFor(Principal who, String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("rf-rest-create:" + who.player() + ":" + key).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }

    private static String sessionId(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        if (id == null || !SESSION_ID.matcher(id).matches()) {
            throw noSession();
        }
        return id;
    }

    private static ApiException noSession() {
        return Api.notFound("no such session");
    }

    private SessionActions.Answer send(String id, BusAction.Kind kind, String session, Principal who,
                                       ServerRequest req, String game, JsonNode body) {
        try {
            return actions.send(id, kind, session, who, Credentials.device(req.headers()).orElse(null), game, body);
        } catch (SessionActions.Unanswered e) {
            throw e.stored()
                    ? new ApiException(Status.GATEWAY_TIMEOUT_504, ErrorCodes.TIMEOUT,
                    e.getMessage() + "; it may still take effect: retry with the same Idempotency-Key,"
                            + " or check GET /api/sessions?mine=true")
                    : new ApiException(Status.SERVICE_UNAVAILABLE_503, ErrorCodes.UNAVAILABLE, e.getMessage());
        }
    }

    /** The acceptance, or the game's refusal as a typed error: its code kept, its status by what it means. */
    private static SessionActions.Answer.Accepted accepted(SessionActions.Answer answer, Status otherwise) {
        return switch (answer) {
            case SessionActions.Answer.Accepted a -> a;
            case SessionActions.Answer.Refused r -> throw new ApiException(refusalStatus(r.code(), otherwise), r.code(),
                    r.message());
        };
    }

    /**
     * Platform codes have fixed statuses; a game's own codes ({@code ROOM_FULL}, ...) mean the session's state
     * refuses the request: {@code otherwise} (409 for join and end, 400 for a create's settings).
     */
    static Status refusalStatus(String code, Status otherwise) {
        return switch (code) {
            case ErrorCodes.ROOM_NOT_FOUND, ErrorCodes.NOT_FOUND, ErrorCodes.NOT_IN_ROOM -> Status.NOT_FOUND_404;
            // KICKED: the dice room's (and any game's) refusal of a player the host removed.
            case ErrorCodes.FORBIDDEN, "KICKED" -> Status.FORBIDDEN_403;
            case ErrorCodes.UNKNOWN_GAME, ErrorCodes.INVALID_ACTION, ErrorCodes.BAD_MESSAGE, ErrorCodes.INVALID_NAME ->
                    Status.BAD_REQUEST_400;
            case ErrorCodes.RATE_LIMITED, PlayerSocket.RATE_LIMIT -> Status.TOO_MANY_REQUESTS_429;
            case ErrorCodes.UNAVAILABLE, ErrorCodes.INTERNAL -> Status.SERVICE_UNAVAILABLE_503;
            default -> otherwise;
        };
    }

    private static Map<String, Object> created(SessionActions.Answer.Accepted accepted, String game) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("session", accepted.session());
        body.put("code", accepted.code());
        body.put("game", accepted.game() != null ? accepted.game() : game);
        return body;
    }
}
