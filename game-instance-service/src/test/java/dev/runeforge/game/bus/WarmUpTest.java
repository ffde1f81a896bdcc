package dev.runeforge.game.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

import dev.runeforge.game.dice.DiceRules;
import dev.runeforge.game.engine.GameRegistry;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.rps.RpsModel;
import dev.runeforge.game.rps.RpsRules;
import dev.runeforge.game.tactics.TacticsRules;
import org.junit.jupiter.api.Test;

/** {@link WarmUp}: every hosted game runs its three steps; a game that fails there is skipped, not fatal. */
class WarmUpTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    @Test
    void everyGameRunsCreateJoinAndResume() {
        GameRegistry games = new GameRegistry()
                .register(new DiceRules(dev.runeforge.game.dice.DiceModel.Settings.DEFAULT))
                .register(new TacticsRules(TacticsRules.Settings.DEFAULT))
                .register(new RpsRules(RpsModel.Settings.DEFAULT));
        assertEquals(9, WarmUp.run(games, NOW, new SplittableRandom(7)));
    }

    @Test
    void startedItRunsOnAPlatformThreadThatDoesNotHoldTheJvm() throws Exception {
        GameRegistry games = new GameRegistry().register(new RpsRules(RpsModel.Settings.DEFAULT));
        Thread warming = WarmUp.start(games, Clock.fixed(NOW, ZoneOffset.UTC), new SplittableRandom(7));
        assertFalse(warming.isVirtual(), "a virtual thread would hold its carrier while it initialises classes");
        assertTrue(warming.isDaemon());
        warming.join(10_000);
        assertFalse(warming.isAlive(), "done");
    }

    @Test
    void aGameThatFailsIsSkippedAndTheOthersStillRun() {
        // A game whose every rule throws, but for its name.
        GameRules<?, ?, ?, ?> broken = (GameRules<?, ?, ?, ?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{GameRules.class}, (proxy, method, args) -> {
                    if (method.getName().equals("id")) {
                        return "broken";
                    }
                    throw new IllegalStateException("broken on purpose");
                });
        GameRegistry games = new GameRegistry().register(broken).register(new RpsRules(RpsModel.Settings.DEFAULT));
        assertEquals(3, WarmUp.run(games, NOW, new SplittableRandom(7)));
    }
}
