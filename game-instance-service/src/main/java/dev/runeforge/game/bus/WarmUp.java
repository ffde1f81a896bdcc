package dev.runeforge.game.bus;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

import dev.runeforge.common.bus.ActionReply;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.EventsStream;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.game.engine.GameRegistry;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.LiveSession;
import dev.runeforge.game.engine.SessionStep;

/**
 * A fresh instance's first actions, run once in memory before it takes any partition: for every hosted game a
 * room is created, joined and resumed through the same pure steps and JSON as on the bus (the action read, decided
 * and applied, the commit and its headers written, the commit read back, the views and the answer written, a snapshot
 * written and restored). Nothing is stored or sent.
 *
 * <p>Why: a takeover hands a new instance dozens of sessions at once, each on a virtual thread, and on JDK 25 a
 * virtual thread that initialises a class, or waits for another thread to, holds its carrier until that is done.
 * A fresh instance in {@code ClusterIT}'s rolling restart deadlocked that way (its watchdog's thread dump,
 * docs/performance.md): the directory repair ran {@code EventsStream}'s static initialiser, which waited for
 * Jackson's deserialiser cache lock; the lock had been handed to a session's thread that was ready to run; and
 * the two carriers were held by the initialiser and by a session waiting for that very initialisation. With this,
 * those classes and Jackson's caches are ready before the first virtual thread needs them, and a takeover's first
 * answers do not wait for class loading.
 */
public final class WarmUp {
    private static final Logger LOG = Logger.getLogger(WarmUp.class.getName());
    private static final String SESSION = "warm-up";

    private WarmUp() {
    }

    /**
     * Starts {@link #run} on a platform thread of its own (never a virtual thread: that is the point), logging how
     * long it took; join the thread before taking any partition.
     */
    public static Thread start(GameRegistry games, Clock clock, RandomGenerator rng) {
        return Thread.ofPlatform().name("warm-up").daemon().start(() -> {
            long started = System.nanoTime();
            int steps = run(games, clock.instant(), rng);
            LOG.info(() -> "warmed the action path: " + steps + " steps of " + games.ids().size() + " games in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
        });
    }

    /**
     * Runs each game of {@code games} through create, join and resume; returns how many steps ran. A game that
     * fails here is logged and skipped: the instance starts all the same (its players will see the failure).
     */
    public static int run(GameRegistry games, Instant now, RandomGenerator rng) {
        int steps = 0;
        for (String id : games.ids()) {
            try {
                steps += game(games.find(id).orElseThrow(), now, rng);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "warming up game '" + id + "' failed", e);
            }
        }
        return steps;
    }

    private static <S, C, E> int game(GameRules<S, C, E, ?> rules, Instant now, RandomGenerator rng) {
        LiveSession<S, C, E> session = LiveSession.empty(rules, SESSION, null);
        List<BusAction> actions = List.of(
                action("w-create", BusAction.Kind.CREATE, "g-warm-host", rules.id(), now),
                action("w-join", BusAction.Kind.JOIN, "g-warm-guest", null, now),
                action("w-resume", BusAction.Kind.RESUME, "g-warm-guest", null, now));
        int steps = 0;
        for (BusAction sent : actions) {
            BusAction action = Json.read(Json.bytes(sent), BusAction.class);
            if (SessionStep.decide(session, action, now, rng) instanceof SessionStep.Outcome.Committed c) {
                SessionStep.Applied<S, C, E> applied = SessionStep.apply(session, c.commit(), session.streamSeq());
                SessionSummary summary = applied.after().summary(now.toEpochMilli());
                EventsStream.summary(EventsStream.headers(c.commit(), new EventsStream.Declared(applied.tallies(),
                        applied.rolls()), summary));
                EventsStream.commit(EventsStream.body(c.commit()));
                Json.read(Json.bytes(summary), SessionSummary.class); // the directory's entry
                applied.outbound().forEach(out -> Json.bytes(out.message()));
                session = applied.after().storedAt(session.streamSeq() + 1);
            }
            String joined = Json.text(SessionStep.joined(session, action.player(), now));
            ActionReply reply = new ActionReply(ActionReply.Outcome.ACCEPTED,
                    List.of(new ActionReply.Frame("joined", session.seq(), joined)));
            reply.headers();
            reply.body();
            steps++;
        }
        Snapshots.restore(rules, Snapshots.decode(Snapshots.encode(session, now.toEpochMilli())));
        return steps;
    }

    private static BusAction action(String id, BusAction.Kind kind, String player, String game, Instant now) {
        return new BusAction(id, kind, SESSION, player, "Zoë", game, null, null, now.toEpochMilli());
    }
}
