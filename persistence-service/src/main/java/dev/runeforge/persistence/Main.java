package dev.runeforge.persistence;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
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
import dev.runeforge.persistence.save.GuestRetention;
import dev.runeforge.persistence.permalink.PermalinkStore;
import dev.runeforge.persistence.permalink.Projector;
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

    public static void main(String[] args) {
        Logging.init(SERVICE);
        ServiceRuntime.main(SERVICE, () -> start(ServiceConfig.load()).shutdown());
    }

    /** Reply of {@code rf.db.ping}: the service answers ({@code ok}) and whether its database does ({@code db}). */
    public record PingReply(boolean ok, boolean db) {
    }

    public static ServiceRuntime.Running start(ServiceConfig config) throws Exception {
        return start(config, Telemetry.fromEnvironment(SERVICE));
    }

    /** As {@link #start(ServiceConfig)}, traced with {@code telemetry} (tests pass an in-memory one). */
    public static ServiceRuntime.Running start(ServiceConfig config, Telemetry telemetry) throws Exception {
        PersistenceSettings settings = PersistenceSettings.read(config);
        ServiceRuntime rt = ServiceRuntime.open(SERVICE, config, settings.runtime(), telemetry);
        int replicas = settings.runtime().replicas();
        PersistenceSettings.Db dbSettings = settings.db();
        Database db = Database.open(dbSettings.url(), dbSettings.user(), dbSettings.password(), dbSettings.poolSize(),
                rt.admin().registry());
        PermalinkStore permalinks = new PermalinkStore(db.dataSource(), settings.permalinks().ttl(), rt.admin().registry());
        ArchiveStore archive = new ArchiveStore(db.dataSource());
        // One consumer for every projection: each event is delivered and parsed once (Projector).
        Projector projector = new Projector(rt.nats(), rt.subjects(), settings.projection().consumer(),
                settings.projection().ackWait(),
                List.of(new Projector.Target("permalinks", Projector.permalinks(permalinks)),
                        new Projector.Target("archive", archive::apply)),
                db::migrated, rt.admin().registry()).start();
        PlayerStore players = new PlayerStore(db.dataSource());
        SaveStore saves = new SaveStore(db.dataSource(), rt.admin().registry());
        Group savesGroup = new Group(rt.subjects().dbSavesGroup());
        Cleanup cleanup = new Cleanup(permalinks, settings.permalinks().cleanupInterval(), rt.admin().registry());
        GuestRetention guestRetention = new GuestRetention(db.dataSource(), settings.guests().retention(),
                settings.guests().cleanupInterval(), rt.admin().registry());
        // The service answers even when its database does not, so a caller can tell "persistence is down"
        // (no answer) from "persistence is up, PostgreSQL is not" (db=false).
        Service service = rt.service("persistence", "Rune Forge lasting data: profiles, session history",
                Rpc.endpoint(rt.nats(), new Group(rt.subjects().dbGroup()), "ping",
                        data -> new PingReply(true, db.ready())),
                Rpc.blockingEndpoint(rt.nats(), new Group(rt.subjects().dbPermalinkGroup()), "get",
                        data -> permalink(permalinks, Json.read(data, Permalink.Get.class).id())),
                // Signing is asked for here, where the log is read: what auth-service signs is a stored row.
                Rpc.blockingEndpoint(rt.nats(), new Group(rt.subjects().dbPermalinkGroup()), "permalink-signed", "signed",
                        data -> signed(rt, permalink(permalinks, Json.read(data, Permalink.Get.class).id()))),
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
        return rt.run(() -> {
            service.stop();
            cleanup.close();
            guestRetention.close();
            projector.close();
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

    /**
     * {@code <ns>.db.permalink.signed}: the stored roll, signed by auth-service now (a signature made when served
     * always names a published key; docs/protocol.md, Permalinks). auth-service takes {@code <ns>.auth.sign.roll}
     * from this service alone, so a roll that never was in the event log cannot be signed.
     */
    static Permalink.Signed signed(ServiceRuntime rt, Permalink permalink) {
        Permalink.Signature signature = Rpc.request(rt.nats(), rt.subjects().authSignRoll(), permalink.roll(),
                Permalink.Signature.class, SIGN_TIMEOUT);
        return new Permalink.Signed(permalink.roll(), permalink.expiresAt(), signature.jws(), signature.kid());
    }

    private static final Duration SIGN_TIMEOUT = Duration.ofSeconds(3);

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
