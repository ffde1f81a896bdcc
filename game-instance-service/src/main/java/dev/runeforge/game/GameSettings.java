package dev.runeforge.game;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.service.RuntimeSettings;
import dev.runeforge.common.session.SessionHistory;
import dev.runeforge.game.dice.DiceModel;
import dev.runeforge.game.ownership.PartitionManager;
import dev.runeforge.game.rps.RpsModel;
import dev.runeforge.game.tactics.TacticsRules;

/**
 * Every setting game-instance-service reads (docs/operations.md, Configuration), read once by {@link Main}; each
 * default is stated here, or in the game's own settings record ({@link DiceModel.Settings#DEFAULT},
 * {@link TacticsRules.Settings#DEFAULT}, {@link RpsModel.Settings#DEFAULT}), and nowhere else.
 *
 * @param partitions    {@code game.partitions}: must equal the gateways'
 * @param snapshotEvery {@code game.snapshot.every}: events between snapshots of a session
 * @param resumeWindow  {@code game.resume.window}: commits whose views each session keeps for resumes and gaps
 * @param queue         {@code game.queue.*}: when actions are refused BUSY
 * @param sessionsTtl   {@code game.sessions.ttl}: the session directory bucket's TTL (applied on every start)
 * @param ownership     leases ({@code game.leases}, {@code game.instance}, {@code game.lease.ttl},
 *                      {@code game.probe.every})
 * @param replay        {@code game.replay.*}
 * @param dice          {@code game.dice.*}: the dice room's own settings record
 * @param tactics       {@code game.tactics.*}: the tactics encounter's own settings record
 * @param rps           {@code game.rps.*}: rock-paper-scissors' own settings record
 */
public record GameSettings(RuntimeSettings runtime, int partitions, int snapshotEvery, int resumeWindow,
                           Queue queue, Duration sessionsTtl, Ownership ownership, Replay replay,
                           DiceModel.Settings dice, TacticsRules.Settings tactics,
                           RpsModel.Settings rps) {
    public static final int ADMIN_PORT = 9082;

    public GameSettings {
        Objects.requireNonNull(runtime);
        Objects.requireNonNull(queue);
        Objects.requireNonNull(sessionsTtl);
        Objects.requireNonNull(ownership);
        Objects.requireNonNull(replay);
        Objects.requireNonNull(dice);
        Objects.requireNonNull(tactics);
        Objects.requireNonNull(rps);
    }

    /**
     * Partition ownership: {@code leases} false takes every partition without leases (one instance only);
     * {@code instance} is this instance's id in the lease and member buckets; {@code leaseTtl} is how long a member
     * entry outlives its last heartbeat (the members bucket's TTL, applied to an existing bucket on start);
     * {@code probeEvery} how often the successor is probed; {@code probeGrace} how long a peer must stay unreachable
     * before it counts as gone.
     */
    public record Ownership(boolean leases, String instance, Duration leaseTtl, Duration probeEvery,
                            Duration probeGrace) {
    }

    /**
     * {@code game.queue.max} actions waiting, or one waiting longer than {@code game.queue.max-wait}: BUSY; a new
     * room while the heap after the last full collection is fuller than {@code game.queue.heap-percent}: BUSY. An
     * action stuck for {@code game.queue.stuck} halts the instance ({@code PT0S}: never; {@link dev.runeforge.game.bus.Watchdog}).
     */
    public record Queue(int max, Duration maxWait, int heapPercent, Duration stuck) {
    }

    /** {@code game.replay.steps} per answer and {@code game.replay.timeout} for each archive page. */
    public record Replay(int steps, Duration timeout) {
    }

    public static GameSettings read(ServiceConfig c) {
        RuntimeSettings runtime = RuntimeSettings.read(c, ADMIN_PORT);
        int partitions = c.integer("game.partitions", Partitions.DEFAULT_COUNT);
        int snapshotEvery = c.integer("game.snapshot.every", 100);
        int resumeWindow = c.integer("game.resume.window", 64);
        Queue queue = new Queue(c.integer("game.queue.max", 4000), c.duration("game.queue.max-wait", Duration.ofSeconds(1)),
                c.integer("game.queue.heap-percent", 85), c.duration("game.queue.stuck", Duration.ofSeconds(15)));
        Duration sessionsTtl = c.duration("game.sessions.ttl", NatsClients.SESSIONS_TTL);
        Ownership ownership = new Ownership(
                c.flag("game.leases", true),
                c.string("game.instance", "gi-" + UUID.randomUUID().toString().substring(0, 8)),
                c.duration("game.lease.ttl", PartitionManager.Settings.DEFAULT.ttl()),
                c.duration("game.probe.every", PartitionManager.Settings.DEFAULT.probeEvery()),
                c.duration("game.probe.grace", PartitionManager.Settings.DEFAULT.probeGrace()));
        Replay replay = new Replay(c.integer("game.replay.steps", SessionHistory.REPLAY_STEPS),
                c.duration("game.replay.timeout", Duration.ofSeconds(5)));
        return new GameSettings(runtime, partitions, snapshotEvery, resumeWindow, queue, sessionsTtl, ownership,
                replay, dice(c), tactics(c), rps(c));
    }

    /** {@code game.dice.*}: room size, expiry by mode, the roll rate limit, the DM's grace when offline. */
    static DiceModel.Settings dice(ServiceConfig c) {
        DiceModel.Settings d = DiceModel.Settings.DEFAULT;
        return new DiceModel.Settings(
                c.integer("game.dice.max.players", d.maxPlayers()),
                c.duration("game.dice.ttl.open", d.openTtl()),
                c.duration("game.dice.ttl.dmled", d.dmLedTtl()),
                c.integer("game.dice.rolls.limit", d.rollLimit()),
                c.duration("game.dice.rolls.window", d.rollWindow()),
                d.warnings(),
                c.duration("game.dice.dm.grace", d.dmGrace()));
    }

    /** {@code game.tactics.*}: players per encounter, the default turn timer (0: none), the idle close. */
    static TacticsRules.Settings tactics(ServiceConfig c) {
        TacticsRules.Settings d = TacticsRules.Settings.DEFAULT;
        return new TacticsRules.Settings(
                c.integer("game.tactics.max.players", d.maxPlayers()),
                c.integer("game.tactics.turn.seconds", d.turnSeconds()),
                c.duration("game.tactics.idle", d.idle()));
    }

    /** {@code game.rps.*}: a match's default length, the default time limit per round (0: none), the idle close. */
    static RpsModel.Settings rps(ServiceConfig c) {
        RpsModel.Settings d = RpsModel.Settings.DEFAULT;
        return new RpsModel.Settings(
                c.integer("game.rps.best-of", d.bestOf()),
                c.integer("game.rps.choice.seconds", d.choiceSeconds()),
                c.duration("game.rps.idle", d.idle()));
    }
}
