package dev.runeforge.persistence;

import java.sql.SQLException;
import java.time.Duration;

import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.logging.Logging;
import dev.runeforge.common.permalink.Permalink;
import dev.runeforge.common.permalink.PublicRoll;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.session.SessionHistory;
import dev.runeforge.persistence.archive.ArchiveStore;
import dev.runeforge.persistence.permalink.Cleanup;
import dev.runeforge.persistence.permalink.PermalinkStore;
import dev.runeforge.persistence.permalink.Projector;
import io.helidon.config.Config;
import io.nats.service.Group;
import dev.runeforge.common.player.OidcProfile;
import dev.runeforge.persistence.player.PlayerStore;
import io.nats.service.Service;

/** persistence-service: owns PostgreSQL (schema, history) and answers for it over NATS ({@code rf.db.*}). */
public final class Main {
    public static final String SERVICE = "persistence-service";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Logging.init(SERVICE);
        start(ServiceConfig.load()).shutdown().onSignal();
    }

    /** Reply of {@code rf.db.ping}: the service answers ({@code ok}) and whether its database does ({@code db}). */
    public record PingReply(boolean ok, boolean db) {
    }

    public static ServiceRuntime.Running start(Config config) throws Exception {
        ServiceRuntime rt = ServiceRuntime.open(SERVICE, config);
        Database db = Database.open(
                config.get("db.url").asString().orElse("jdbc:postgresql://127.0.0.1:5432/runeforge"),
                config.get("db.user").asString().orElse("postgres"),
                config.get("db.password").asString().orElse(""),
                config.get("db.pool.size").asInt().orElse(5),
                rt.admin().registry());
        PermalinkStore permalinks = new PermalinkStore(db.dataSource(),
                config.get("permalinks.ttl").as(Duration.class).orElse(Duration.ofDays(30)), rt.admin().registry());
        Projector projector = new Projector(rt.nats(), rt.subjects(),
                config.get("permalinks.consumer").asString().orElse("permalinks"),
                config.get("permalinks.ackwait").as(Duration.class).orElse(Duration.ofSeconds(30)),
                permalinks, db::migrated, rt.admin().registry()).start(config.get("bus.replicas").asInt().orElse(1));
        ArchiveStore archive = new ArchiveStore(db.dataSource());
        Projector archiver = new Projector(rt.nats(), rt.subjects(), "archive",
                config.get("archive.consumer").asString().orElse("archive"),
                config.get("archive.ackwait").as(Duration.class).orElse(Duration.ofSeconds(30)),
                archive::store, db::migrated, rt.admin().registry()).start(config.get("bus.replicas").asInt().orElse(1));
        PlayerStore players = new PlayerStore(db.dataSource());
        Cleanup cleanup = new Cleanup(permalinks,
                config.get("permalinks.cleanup.interval").as(Duration.class).orElse(Duration.ofHours(1)),
                rt.admin().registry());
        // The service answers even when its database does not, so a caller can tell "persistence is down"
        // (no answer) from "persistence is up, PostgreSQL is not" (db=false).
        Service service = rt.service("persistence", "Rune Forge lasting data: profiles, session history",
                Rpc.endpoint(rt.nats(), new Group(rt.subjects().dbGroup()), "ping",
                        data -> new PingReply(true, db.ready())),
                Rpc.blockingEndpoint(rt.nats(), new Group(rt.subjects().dbPermalinkGroup()), "get",
                        data -> permalink(permalinks, Json.read(data, Permalink.Get.class).id())),
                Rpc.blockingEndpoint(rt.nats(), new Group(rt.subjects().dbPlayerGroup()), "oidc",
                        data -> player(players, Json.read(data, OidcProfile.class))),
                // Named apart from their subjects: a service keeps one endpoint per name (permalink's is "get").
                Rpc.blockingEndpoint(rt.nats(), new Group(rt.subjects().dbSessionsGroup()), "sessions-mine", "mine",
                        data -> mine(archive, Json.read(data, SessionHistory.PlayerQuery.class))),
                Rpc.blockingEndpoint(rt.nats(), new Group(rt.subjects().dbStatsGroup()), "stats-get", "get",
                        data -> stats(archive, Json.read(data, SessionHistory.PlayerQuery.class))),
                Rpc.blockingEndpoint(rt.nats(), new Group(rt.subjects().dbEventsGroup()), "events-list", "list",
                        data -> events(archive, Json.read(data, SessionHistory.EventsQuery.class))));
        rt.admin().readiness("postgres", db::ready);
        return rt.run(9083, () -> {
            service.stop();
            cleanup.close();
            projector.close();
            archiver.close();
        }, db::close);
    }

    /** {@code <ns>.db.sessions.mine}: the sessions a player was ever in, newest first. */
    static SessionHistory.Sessions mine(ArchiveStore archive, SessionHistory.PlayerQuery query) {
        try {
            return new SessionHistory.Sessions(archive.mine(query.player(), SessionHistory.MINE_LIMIT));
        } catch (SQLException e) {
            throw new RpcException(ErrorCodes.UNAVAILABLE, "session history is unavailable right now; try again shortly");
        }
    }

    /** {@code <ns>.db.stats.get}: a player's statistics (zeros when unknown). */
    static SessionHistory.Stats stats(ArchiveStore archive, SessionHistory.PlayerQuery query) {
        try {
            return archive.stats(query.player());
        } catch (SQLException e) {
            throw new RpcException(ErrorCodes.UNAVAILABLE, "statistics are unavailable right now; try again shortly");
        }
    }

    /** {@code <ns>.db.events.list}: a page of a session's archived events, unredacted (trusted callers only). */
    static SessionHistory.Events events(ArchiveStore archive, SessionHistory.EventsQuery query) {
        try {
            return archive.events(query.session(), query.afterOrZero(), query.limitOrDefault())
                    .orElseThrow(() -> new RpcException(ErrorCodes.NOT_FOUND, "no session " + query.session()
                            + " in the archive"));
        } catch (SQLException e) {
            throw new RpcException(ErrorCodes.UNAVAILABLE, "the event archive is unavailable right now; try again shortly");
        }
    }

    /** {@code <ns>.db.player.oidc}: the player a verified OIDC identity maps to. */
    static OidcProfile.Player player(PlayerStore store, OidcProfile profile) {
        try {
            return store.upsert(profile);
        } catch (SQLException e) {
            throw new RpcException(ErrorCodes.UNAVAILABLE, "player profiles are unavailable right now; try again shortly");
        }
    }

    /** {@code <ns>.db.permalink.get}: a public roll's permalink, or a typed refusal. */
    static Permalink permalink(PermalinkStore store, String id) {
        if (!PublicRoll.validId(id)) {
            throw new RpcException(ErrorCodes.INVALID_PERMALINK, "a permalink id is 16 characters of A-Z, a-z, 0-9, - and _");
        }
        try {
            return store.find(id).orElseThrow(() -> new RpcException(ErrorCodes.PERMALINK_NOT_FOUND,
                    "No roll " + id + ": the link is wrong or has expired (permalinks last " + store.ttl().toDays()
                            + " days), or it is a hidden roll the DM has not revealed yet."));
        } catch (SQLException e) {
            throw new RpcException(ErrorCodes.UNAVAILABLE, "roll history is unavailable right now; try again shortly");
        }
    }
}
