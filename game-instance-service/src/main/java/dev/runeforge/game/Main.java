package dev.runeforge.game;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import dev.runeforge.common.bus.DirectoryBucket;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.SessionsBucket;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.logging.Logging;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.telemetry.Telemetry;
import dev.runeforge.game.bus.ActionHandler;
import dev.runeforge.game.bus.ActionInbox;
import dev.runeforge.game.bus.HeapGuard;
import dev.runeforge.game.bus.Replays;
import dev.runeforge.game.bus.SessionLog;
import dev.runeforge.game.bus.SessionMailboxes;
import dev.runeforge.game.bus.Snapshots;
import dev.runeforge.game.bus.Timers;
import dev.runeforge.game.bus.WarmUp;
import dev.runeforge.game.bus.Watchdog;
import dev.runeforge.game.dice.DiceRules;
import dev.runeforge.game.engine.GameRegistry;
import dev.runeforge.game.ownership.PartitionManager;
import dev.runeforge.game.rps.RpsRules;
import dev.runeforge.game.tactics.TacticsRules;
import io.nats.client.Connection;
import io.nats.service.Group;
import io.nats.service.Service;

/** game-instance-service: takes actions, runs the game rules, appends events, publishes views. */
public final class Main {
    public static final String SERVICE = "game-instance-service";

    private Main() {
    }

    public static void main(String[] args) {
        Logging.init(SERVICE);
        ServiceRuntime.main(SERVICE, () -> start(ServiceConfig.load()).shutdown());
    }

    /** The games this instance hosts: one line per game, each with its own settings record. */
    static GameRegistry games(GameSettings settings) {
        return new GameRegistry()
                .register(new DiceRules(settings.dice()))
                .register(new TacticsRules(settings.tactics()))
                .register(new RpsRules(settings.rps()));
    }

    /**
     * Halts this instance when its action path is stuck ({@code game.queue.stuck}; zero: no watchdog): actions left
     * in the inbox, or no mailbox ending a step, for that long; one mailbox on one step for four times that.
     */
    private static Watchdog watchdog(Duration stuck, ActionInbox inbox, SessionMailboxes mailboxes) {
        Watchdog watchdog = new Watchdog(List.of(
                new Watchdog.Check("the action inbox", inbox::stuckNanos, stuck),
                new Watchdog.Check("every session's mailbox", mailboxes::stalledNanos, stuck),
                new Watchdog.Check("a session's mailbox", mailboxes::stuckNanos, stuck.multipliedBy(4))),
                Watchdog::haltWithThreadDump);
        return stuck.isZero() ? watchdog : watchdog.start();
    }

    public static ServiceRuntime.Running start(ServiceConfig config) throws Exception {
        return start(config, Telemetry.fromEnvironment(SERVICE));
    }

    /** As {@link #start(ServiceConfig)}, traced with {@code telemetry} (tests pass an in-memory one). */
    public static ServiceRuntime.Running start(ServiceConfig config, Telemetry telemetry) throws Exception {
        return start(config, telemetry, UnaryOperator.identity());
    }

    /**
     * As {@link #start(ServiceConfig, Telemetry)}, with the views sent through {@code views} around NATS' publish:
     * tests drop and reorder views on purpose to prove no hole reaches a player.
     */
    public static ServiceRuntime.Running start(ServiceConfig config, Telemetry telemetry,
                                               UnaryOperator<ActionHandler.ViewSink> views) throws Exception {
        GameSettings settings = GameSettings.read(config);
        SecureRandom rng = new SecureRandom();
        GameRegistry games = games(settings);
        // Warmed beside the start-up's bus round trips, and awaited before any partition is taken (WarmUp says why).
        Thread warming = WarmUp.start(games, Clock.systemUTC(), rng);
        ServiceRuntime rt = ServiceRuntime.open(SERVICE, config, settings.runtime(), telemetry);
        Subjects subjects = rt.subjects();
        Connection nc = rt.nats();
        int partitions = settings.partitions();
        int replicas = settings.runtime().replicas();
        NatsClients.ensureStreams(nc, subjects, replicas);
        NatsClients.ensureDirectory(nc, subjects, replicas);
        SessionsBucket.Writer summaries = SessionsBucket.of(NatsClients.ensureSessions(nc, subjects, replicas,
                settings.sessionsTtl())).writer();

        Timers timers = new Timers(nc, subjects, partitions, Clock.systemUTC(), replicas);
        ActionHandler handler = new ActionHandler(nc, views.apply(nc::publish), subjects, games,
                new SessionLog(nc, subjects), DirectoryBucket.open(nc, subjects), summaries,
                new Snapshots(nc, subjects, replicas), timers, settings.snapshotEvery(), partitions,
                settings.resumeWindow(), Clock.systemUTC(), rng, rt.admin().registry());
        SessionMailboxes mailboxes = new SessionMailboxes(handler, partitions, settings.queue().max(),
                settings.queue().maxWait(), HeapGuard.of(settings.queue().heapPercent()), rt.admin().registry());
        timers.deliverTo(timer -> mailboxes.submit(new SessionMailboxes.Work(timer, null, null, System.nanoTime())));
        ActionInbox inbox = new ActionInbox(nc, subjects, mailboxes);
        Watchdog watchdog = watchdog(settings.queue().stuck(), inbox, mailboxes);

        // Any instance answers (the Service API's queue group): replays read the archive, not the live sessions.
        Replays replays = new Replays(nc, subjects, games, settings.replay().timeout(), settings.replay().steps(),
                // The server's limit on a message, once connected (1 MB, NATS' default, until then).
                () -> nc.getServerInfo() == null ? 1 << 20 : nc.getServerInfo().getMaxPayload());
        Group gameGroup = new Group(subjects.gameGroup());
        Map<String, Object> hosted = Map.of("games", List.copyOf(games.ids()));
        Service service = rt.service("game", "Rune Forge game instances: session replays, the games hosted",
                Rpc.blockingEndpoint(nc, gameGroup, "replay", replays::handle),
                Rpc.endpoint(nc, gameGroup, "games", data -> hosted));

        warming.join();
        GameSettings.Ownership ownership = settings.ownership();
        if (!ownership.leases()) {
            // Every partition, no leases: only for a single instance (tests use two to exercise fencing).
            List<Integer> all = IntStream.range(0, partitions).boxed().toList();
            inbox.open(all);
            handler.warm(all);
            return rt.run(() -> {
                watchdog.close();
                service.stop();
                inbox.close();
                timers.close();
            }, null);
        }
        PartitionManager manager = new PartitionManager(nc, subjects, ownership.instance(), partitions,
                new PartitionManager.Settings(ownership.leaseTtl(), ownership.probeEvery(),
                        PartitionManager.Settings.DEFAULT.tick(), ownership.probeGrace()), replicas,
                new PartitionManager.Host() {
                    @Override
                    public void start(List<Integer> taken) throws Exception {
                        inbox.open(taken);
                        handler.warm(taken);
                    }

                    @Override
                    public void release(int partition) {
                        inbox.close(partition);
                        mailboxes.awaitIdle(p -> p == partition, Duration.ofSeconds(10));
                        handler.release(partition);
                    }

                    @Override
                    public void abandon(int partition) {
                        inbox.close(partition);
                        mailboxes.discard(p -> p == partition);
                        handler.forget(partition);
                    }
                }, rt.admin().registry());
        manager.start();
        return rt.run(() -> {
            watchdog.close();
            service.stop();
            manager.close();
            inbox.close();
            timers.close();
        }, null);
    }
}
