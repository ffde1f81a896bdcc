package dev.runeforge.persistence;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

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
import dev.runeforge.common.telemetry.Telemetry;
import dev.runeforge.persistence.player.PlayerStore;
import dev.runeforge.common.save.Saves;
import dev.runeforge.persistence.save.SaveStore;
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
        return start(config, Telemetry.fromEnvironment(SERVICE));
    }

    /** As {@link #start(Config)}, traced with {@code telemetry} (tests pass an in-memory one). */
    public static ServiceRuntime.Running start(Config config, Telemetry telemetry) throws Exception {
        ServiceRuntime rt = ServiceRuntime.open(SERVICE, config, telemetry);
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
        SaveStore saves = new SaveStore(db.dataSource(), rt.admin().registry());
        Group savesGroup = new Group(rt.subjects().dbSavesGroup());
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
                Rpc.blockingEndpoint(rt.nats(), savesGroup, "saves-list", "list",
                        data -> new Saves.Listing(savesDb(() -> saves.list(Json.read(data, Saves.Owner.class).player())))),
                Rpc.blockingEndpoint(rt.nats(), savesGroup, "saves-get", "get", data -> {
                    Saves.Slot slot = Json.read(data, Saves.Slot.class);
                    return savesDb(() -> saves.get(slot.player(), slot.slot())).orElseThrow(() -> noSave(slot));
                }),
                Rpc.blockingEndpoint(rt.nats(), savesGroup, "saves-put", "put", data -> putSave(saves, Json.read(data, Saves.Put.class))),
                Rpc.blockingEndpoint(rt.nats(), savesGroup, "saves-delete", "delete", data -> {
                    Saves.Slot slot = Json.read(data, Saves.Slot.class);
                    if (!savesDb(() -> saves.delete(slot.player(), slot.slot()))) {
                        throw noSave(slot);
                    }
                    return Map.of();
                }),
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

    /** One database call of an endpoint. */
    private interface DbWork<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work}; a failing database is answered UNAVAILABLE, naming {@code what} is unavailable. */
    static <T> T db(String what, DbWork<T> work) {
        try {
            return work.run();
        } catch (SQLException e) {
            throw new RpcException(ErrorCodes.UNAVAILABLE, what + " unavailable right now; try again shortly");
        }
    }

    private static <T> T savesDb(DbWork<T> work) {
        return db("saves are", work);
    }

    private static RpcException noSave(Saves.Slot slot) {
        return new RpcException(ErrorCodes.NOT_FOUND, "no save in slot " + slot.slot());
    }

    /** {@code <ns>.db.saves.put}: that slot (created or replaced), or the first free one; SAVES_FULL when none is. */
    static Saves.Save putSave(SaveStore store, Saves.Put put) {
        return savesDb(() -> {
            try {
                return store.put(put);
            } catch (SaveStore.Full e) {
                throw new RpcException(ErrorCodes.SAVES_FULL, e.getMessage());
            }
        });
    }

    /** {@code <ns>.db.sessions.mine}: the sessions a player was ever in, newest first. */
    static SessionHistory.Sessions mine(ArchiveStore archive, SessionHistory.PlayerQuery query) {
        return db("session history is", () -> new SessionHistory.Sessions(
                archive.mine(query.player(), SessionHistory.MINE_LIMIT)));
    }

    /** {@code <ns>.db.stats.get}: a player's statistics (zeros when unknown). */
    static SessionHistory.Stats stats(ArchiveStore archive, SessionHistory.PlayerQuery query) {
        return db("statistics are", () -> archive.stats(query.player()));
    }

    /** {@code <ns>.db.events.list}: a page of a session's archived events, unredacted (trusted callers only). */
    static SessionHistory.Events events(ArchiveStore archive, SessionHistory.EventsQuery query) {
        return db("the event archive is", () -> archive.events(query.session(), query.afterOrZero(),
                query.limitOrDefault())).orElseThrow(() -> new RpcException(ErrorCodes.NOT_FOUND,
                "no session " + query.session() + " in the archive"));
    }

    /** {@code <ns>.db.player.oidc}: the player a verified OIDC identity maps to. */
    static OidcProfile.Player player(PlayerStore store, OidcProfile profile) {
        return db("player profiles are", () -> store.upsert(profile));
    }

    /** {@code <ns>.db.permalink.get}: a public roll's permalink, or a typed refusal. */
    static Permalink permalink(PermalinkStore store, String id) {
        if (!PublicRoll.validId(id)) {
            throw new RpcException(ErrorCodes.INVALID_PERMALINK, "a permalink id is 16 characters of A-Z, a-z, 0-9, - and _");
        }
        return db("roll history is", () -> store.find(id)).orElseThrow(() -> new RpcException(
                ErrorCodes.PERMALINK_NOT_FOUND, "No roll " + id + ": the link is wrong or has expired (permalinks last "
                + store.ttl().toDays() + " days), or it is a hidden roll the DM has not revealed yet."));
    }
}
