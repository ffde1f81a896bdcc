package dev.runeforge.persistence;

import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.logging.Logging;
import dev.runeforge.common.service.ServiceRuntime;
import io.helidon.config.Config;
import io.nats.service.Group;
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
        // The service answers even when its database does not, so a caller can tell "persistence is down"
        // (no answer) from "persistence is up, PostgreSQL is not" (db=false).
        Service service = rt.service("persistence", "Rune Forge lasting data: profiles, session history",
                Rpc.endpoint(rt.nats(), new Group(rt.subjects().dbGroup()), "ping",
                        data -> new PingReply(true, db.ready())));
        rt.admin().readiness("postgres", db::ready);
        return rt.run(9083, service::stop, db::close);
    }
}
