package dev.runeforge.common.bus;

import java.util.Locale;
import java.util.Objects;

/**
 * Every NATS subject, stream and bucket name in one place. A namespace (default {@code rf}) prefixes them
 * all, so tests and side-by-side deployments share one NATS server without seeing each other.
 */
public final class Subjects {
    public static final String DEFAULT_NAMESPACE = "rf";

    private final String ns;

    public Subjects(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (!namespace.matches("[a-z][a-z0-9]{0,15}")) {
            throw new IllegalArgumentException("namespace must be 1-16 lowercase letters/digits, starting with a letter");
        }
        this.ns = namespace;
    }

    public String namespace() {
        return ns;
    }

    // --- core NATS: actions (gateway -> the game instance owning the session's partition, request-reply) ---
    /** One action of {@code session}: a request the owner of {@code partition} answers ({@code Actions}). */
    public String action(int partition, String session) {
        return ns + ".act." + partition + "." + session;
    }

    /** What the owner of {@code partition} subscribes to. */
    public String actionsOfPartition(int partition) {
        return ns + ".act." + partition + ".>";
    }

    /** Every action subject (permissions: gateways publish here, game instances subscribe). */
    public String actionsAll() {
        return ns + ".act.>";
    }

    // --- JetStream: events (the authoritative log, one subject per session) ---
    public String eventsStream() {
        return ns.toUpperCase(Locale.ROOT) + "_EVENTS";
    }

    public String eventsAll() {
        return ns + ".evt.>";
    }

    public String events(String session) {
        return ns + ".evt." + session;
    }

    // --- core NATS: per-audience views (game instances -> gateways) ---
    public String outAll(String session) {
        return ns + ".out." + session + ".all";
    }

    public String outPlayer(String session, String player) {
        return ns + ".out." + session + ".p." + player;
    }

    public String outSession(String session) {
        return ns + ".out." + session + ".>";
    }

    // --- KV buckets ---
    /** Room code -> session id. */
    public String directoryBucket() {
        return ns + "-directory";
    }

    /** Session id -> {@code SessionSummary} (JSON), written by the owning game instance after each change. */
    public String sessionsBucket() {
        return ns + "-sessions";
    }

    // --- request-reply services (NATS Service API groups) ---
    public String authGroup() {
        return ns + ".auth";
    }

    public String dbGroup() {
        return ns + ".db";
    }

    public String mediaGroup() {
        return ns + ".media";
    }

    public String authGuest() {
        return authGroup() + ".guest";
    }

    /** Request {@code {refreshToken}}, reply a new {@code IssuedToken} (both tokens rotated) or UNAUTHORIZED. */
    public String authRefresh() {
        return authGroup() + ".refresh";
    }

    /** Request {@code {refreshToken}}: revokes the token's whole family. Reply {@code {}}. */
    public String authLogout() {
        return authGroup() + ".logout";
    }

    /**
     * Published by auth-service when a sign-in is revoked (logout, refresh-token reuse): {@code SignInRevoked}.
     * Every gateway listens, closes that sign-in's live sockets and refuses its access tokens until they expire.
     */
    public String authRevoked() {
        return authGroup() + ".revoked";
    }

    /** Refresh-token families and tokens (auth-service). */
    public String refreshBucket() {
        return ns + "-refresh";
    }

    public String authJwks() {
        return authGroup() + ".jwks";
    }

    public String mediaPing() {
        return mediaGroup() + ".ping";
    }

    /** Request a {@code Voice.TokenRequest}, reply a {@code Voice.Token} (LiveKit access token) or a typed refusal. */
    public String mediaToken() {
        return mediaGroup() + ".token";
    }

    public String dbPing() {
        return dbGroup() + ".ping";
    }

    /** Permalinks of rolls (persistence-service): {@code <ns>.db.permalink.*}. */
    public String dbPermalinkGroup() {
        return dbGroup() + ".permalink";
    }

    /** Request {@code {"id"}}, reply a roll's permalink (room code anonymized) or {@code PERMALINK_NOT_FOUND}. */
    public String dbPermalinkGet() {
        return dbPermalinkGroup() + ".get";
    }

    /**
     * Request {@code {"id"}}, reply a {@code Permalink.Signed}: the stored roll signed by auth-service. Only
     * persistence-service may ask auth-service to sign ({@link #authSignRoll()}), and it asks only for rows its
     * projector stored from the event log: nothing else can get a roll signed.
     */
    public String dbPermalinkSigned() {
        return dbPermalinkGroup() + ".signed";
    }

    /** Session history (persistence-service): {@code <ns>.db.sessions.*}. */
    public String dbSessionsGroup() {
        return dbGroup() + ".sessions";
    }

    /** Request {@code {"player"}}, reply {@code {"sessions": [SessionSummary…]}}: theirs, newest first, at most 50. */
    public String dbSessionsMine() {
        return dbSessionsGroup() + ".mine";
    }

    /** Player statistics (persistence-service): {@code <ns>.db.stats.*}. */
    public String dbStatsGroup() {
        return dbGroup() + ".stats";
    }

    /** Request {@code {"player"}}, reply {@code {"rolls", "natural_20s", "encounters_won"}} (zeros if unknown). */
    public String dbStatsGet() {
        return dbStatsGroup() + ".get";
    }

    /** The event archive (persistence-service): {@code <ns>.db.events.*}. */
    public String dbEventsGroup() {
        return dbGroup() + ".events";
    }

    /**
     * Request {@code {"session", "after", "limit"}}, reply {@code {"game", "events": [{"seq", "body"}], "more"}}:
     * stored events, unredacted. For trusted services only (replay); never forward it to a client.
     */
    public String dbEventsList() {
        return dbEventsGroup() + ".list";
    }

    /** Players (persistence-service): {@code <ns>.db.player.*}. */
    public String dbPlayerGroup() {
        return dbGroup() + ".player";
    }

    /** Request an {@code OidcProfile}, reply the player it maps to (upserted; a signing-in guest is linked). */
    public String dbPlayerOidc() {
        return dbPlayerGroup() + ".oidc";
    }

    /** Saved encounters, ten slots per player (persistence-service): {@code <ns>.db.saves.*}. */
    public String dbSavesGroup() {
        return dbGroup() + ".saves";
    }

    /** Request {@code {"player"}}, reply {@code {"saves":[{slot,name,game,created,updated}]}} (no data). */
    public String dbSavesList() {
        return dbSavesGroup() + ".list";
    }

    /** Request {@code {"player","slot"}}, reply the whole save (with {@code data}) or NOT_FOUND. */
    public String dbSavesGet() {
        return dbSavesGroup() + ".get";
    }

    /**
     * Request {@code {"player","slot"?,"name","game","data"}}: writes that slot (create or replace), or the
     * first free one when {@code slot} is absent (SAVES_FULL when none is). Reply the save without data.
     */
    public String dbSavesPut() {
        return dbSavesGroup() + ".put";
    }

    /** Request {@code {"player","slot"}}, reply {@code {}} or NOT_FOUND. */
    public String dbSavesDelete() {
        return dbSavesGroup() + ".delete";
    }

    /** OIDC sign-in (auth-service): {@code <ns>.auth.oidc.login} and {@code <ns>.auth.oidc.callback}. */
    public String authOidcGroup() {
        return authGroup() + ".oidc";
    }

    public String authOidcLogin() {
        return authOidcGroup() + ".login";
    }

    public String authOidcCallback() {
        return authOidcGroup() + ".callback";
    }

    /** OIDC sign-in state (auth-service): state → PKCE verifier, nonce, guest to link; minutes long. */
    public String oidcStateBucket() {
        return ns + "-oidcstate";
    }

    /** Signing with the platform key (auth-service): {@code <ns>.auth.sign.*}. */
    public String authSignGroup() {
        return authGroup() + ".sign";
    }

    /**
     * Request a public roll, reply a detached JWS over its canonical form and the key id. Only persistence-service
     * may publish here (deploy/nats/permissions.txt), with a roll it stored from the event log.
     */
    public String authSignRoll() {
        return authSignGroup() + ".roll";
    }

    /** Operator requests to auth-service: {@code <ns>.auth.admin.*} (the bus is the trusted side of the platform). */
    public String authAdminGroup() {
        return authGroup() + ".admin";
    }

    /** Request {@code {}}, reply the key ids after rotating the signing key now. */
    public String authAdminRotate() {
        return authAdminGroup() + ".rotate";
    }

    /** Requests any game instance answers (queue group): {@code <ns>.game.*}. */
    public String gameGroup() {
        return ns + ".game";
    }

    /**
     * Request {@code {"session", "viewer", "after"?}}, reply {@code {"session", "game", "steps": [{"seq", "event",
     * "view"}], "more"}}: a session replayed from the archive as {@code viewer} may see it.
     */
    public String gameReplay() {
        return gameGroup() + ".replay";
    }

    /** Request {@code {}}, reply {@code {"games": ["dice", …]}}: the game ids the game instances host. */
    public String gameList() {
        return gameGroup() + ".games";
    }

    // --- core NATS: game instance liveness (answered while the instance's connection is up) ---
    public String instanceAlive(String instance) {
        return ns + ".game.alive." + instance;
    }

    /** Core NATS: "partitions were freed, balance now" (after a drain or a dead instance's leases were freed). */
    public String rebalance() {
        return ns + ".game.rebalance";
    }

    /**
     * Core NATS, game instance -> gateways: "I now take the actions of these partitions" (body: the partition
     * numbers, comma-separated), published once the instance subscribed, so a gateway retries what it has in
     * flight there at once instead of after its attempt timeout.
     */
    public String partitionsOwned() {
        return ns + ".game.owned";
    }

    /**
     * Core NATS, gateway -> game instances: "a request to partition N found nobody" (body: the partition number).
     * Every instance then probes its peers at once instead of at its next tick, so a dead owner is reaped while
     * players wait, not a second later.
     */
    public String ownerSuspect() {
        return ns + ".game.suspect";
    }
}
