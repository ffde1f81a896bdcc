package dev.runeforge.game.engine;

import java.util.Optional;

import dev.runeforge.common.permalink.RollFact;

/**
 * Implemented beside {@link GameRules} (same {@code S} and {@code E}) by a game whose events include dice rolls that
 * get permalinks: it declares, per stored event, the roll fact persistence-service stores (docs/games.md). The engine
 * puts the facts on the commit ({@code EventsStream}, header {@code Rf-Rolls}); persistence knows no game's events.
 * A game without rolls does not implement it.
 *
 * @param <S> the game's state
 * @param <E> the game's events
 */
public interface RollFacts<S, E> {
    /**
     * What {@code event} means for roll permalinks, given the state after it: a roll that is or may become public, a
     * reveal, or nothing. Pure, like {@link GameRules#tally}: replaying the log declares the same facts.
     */
    Optional<RollFact> rollFact(S state, E event);
}
