package dev.runeforge.game;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.session.SessionHistory;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.logging.Logging;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.telemetry.Telemetry;
import dev.runeforge.game.dice.DiceModel;
import dev.runeforge.game.dice.DiceRules;
import dev.runeforge.game.engine.ActionHandler;
import dev.runeforge.game.engine.GameRegistry;
import dev.runeforge.game.engine.PartitionConsumers;
import dev.runeforge.game.engine.Replays;
import dev.runeforge.game.engine.RoomDirectory;
import dev.runeforge.game.engine.SessionDirectory;
import dev.runeforge.game.engine.SessionLog;
import dev.runeforge.game.engine.Snapshots;
import dev.runeforge.game.engine.Timers;
import dev.runeforge.game.ownership.PartitionManager;
import dev.runeforge.game.tactics.TacticsRules;
import io.helidon.config.Config;
import io.nats.client.Connection;
import io.nats.service.Group;
import io.nats.service.Service;

/** game-instance-service: consumes actions, runs the game rules, appends events, publishes views. */
public final class Main {
    public static final String SERVICE = "game-instance-service";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Logging.init(SERVICE);
        start(ServiceConfig.load()).shutdown().onSignal();
    }

    /** The games this instance hosts: one line per game. */
    static GameRegistry games(Config config) {
        return new GameRegistry()
                .register(new DiceRules(diceSettings(config)))
                .register(new TacticsRules(tacticsSettings(config)));
    }

    /** {@code game.tactics.*}: players per encounter, the default turn timer (0: none), the idle close. */
    static TacticsRules.Settings tacticsSettings(Config config) {
        TacticsRules.Settings d = TacticsRules.Settings.DEFAULT;
        Config c = config.get("game.tactics");
        return new TacticsRules.Settings(
                c.get("max.players").asInt().orElse(d.maxPlayers()),
                c.get("turn.seconds").asInt().orElse(d.turnSeconds()),
                c.get("idle").as(Duration.class).orElse(d.idle()));
    }

    /** {@code game.dice.*}: room size, expiry by mode, the roll rate limit, the DM's grace when offline. */
    static DiceModel.Settings diceSettings(Config config) {
        DiceModel.Settings d = DiceModel.Settings.DEFAULT;
        Config c = config.get("game.dice");
        return new DiceModel.Settings(
                c.get("max.players").asInt().orElse(d.maxPlayers()),
                c.get("ttl.open").as(Duration.class).orElse(d.openTtl()),
                c.get("ttl.dmled").as(Duration.class).orElse(d.dmLedTtl()),
                c.get("rolls.limit").asInt().orElse(d.rollLimit()),
                c.get("rolls.window").as(Duration.class).orElse(d.rollWindow()),
                d.warnings(),
                c.get("dm.grace").as(Duration.class).orElse(d.dmGrace()));
    }

    public static ServiceRuntime.Running start(Config config) throws Exception {
        return start(config, Telemetry.fromEnvironment(SERVICE));
    }

    /** As {@link #start(Config)}, traced with {@code telemetry} (tests pass an in-memory one). */
    public static ServiceRuntime.Running start(Config config, Telemetry telemetry) throws Exception {
        ServiceRuntime rt = ServiceRuntime.open(SERVICE, config, telemetry);
        Subjects subjects = rt.subjects();
        Connection nc = rt.nats();
        int partitions = config.get("game.partitions").asInt().orElse(Partitions.DEFAULT_COUNT);
        int replicas = config.get("bus.replicas").asInt().orElse(1);
        NatsClients.ensureStreams(nc, subjects, replicas);
        NatsClients.ensureDirectory(nc, subjects, replicas);
        SessionDirectory summaries = new SessionDirectory(NatsClients.ensureSessions(nc, subjects, replicas,
                config.get("game.sessions.ttl").as(Duration.class).orElse(NatsClients.SESSIONS_TTL)));

        SecureRandom rng = new SecureRandom();
        Timers timers = new Timers(nc, subjects, partitions, Clock.systemUTC(), replicas);
        GameRegistry games = games(config);
        ActionHandler handler = new ActionHandler(nc, subjects, games, new SessionLog(nc, subjects),
                new RoomDirectory(nc, subjects, rng), summaries, new Snapshots(nc, subjects, replicas), timers,
                config.get("game.snapshot.every").asInt().orElse(100), partitions, Clock.systemUTC(), rng,
                rt.admin().registry());
        PartitionConsumers consumers = new PartitionConsumers(nc, subjects, handler,
                config.get("game.ackwait").as(Duration.class).orElse(Duration.ofSeconds(5)))
                .measureLag(rt.admin().registry(),
                        config.get("game.lag.interval").as(Duration.class).orElse(Duration.ofSeconds(10)));

        // Any instance answers (the Service API's queue group): replays read the archive, not the live sessions.
        Replays replays = new Replays(nc, subjects, games,
                config.get("game.replay.timeout").as(Duration.class).orElse(Duration.ofSeconds(5)),
                config.get("game.replay.steps").asInt().orElse(SessionHistory.REPLAY_STEPS),
                // The server's limit on a message, once connected (1 MB, NATS' default, until then).
                () -> nc.getServerInfo() == null ? 1 << 20 : nc.getServerInfo().getMaxPayload());
        Group gameGroup = new Group(subjects.gameGroup());
        Map<String, Object> hosted = Map.of("games", List.copyOf(games.ids()));
        Service service = rt.service("game", "Rune Forge game instances: session replays, the games hosted",
                Rpc.blockingEndpoint(nc, gameGroup, "replay", replays::handle),
                Rpc.endpoint(nc, gameGroup, "games", data -> hosted));

        if (!config.get("game.leases").asBoolean().orElse(true)) {
            // Every partition, no leases: only for a single instance (tests use two to exercise fencing).
            consumers.startAll(partitions);
            for (int p = 0; p < partitions; p++) {
                handler.warm(p);
            }
            return rt.run(9082, () -> {
                service.stop();
                consumers.close();
                timers.close();
            }, null);
        }
        String instance = config.get("game.instance").asString()
                .orElse("gi-" + UUID.randomUUID().toString().substring(0, 8));
        PartitionManager manager = new PartitionManager(nc, subjects, instance, partitions,
                config.get("game.lease.ttl").as(Duration.class).orElse(Duration.ofSeconds(2)), replicas,
                new PartitionManager.Host() {
                    @Override
                    public void start(int partition) throws Exception {
                        consumers.start(partition);
                        handler.warm(partition);
                    }

                    @Override
                    public void release(int partition) {
                        consumers.stop(partition);
                        handler.release(partition);
                    }

                    @Override
                    public void abandon(int partition) {
                        consumers.stop(partition);
                        handler.forget(partition);
                    }
                }, rt.admin().registry());
        manager.start();
        return rt.run(9082, () -> {
            service.stop();
            manager.close();
            consumers.close(); // the lag sampler; the manager has stopped every partition
            timers.close();
        }, null);
    }
}
