package dev.runeforge.game.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The games this instance hosts, by id. Adding a game is one {@link #register} line in Main. */
public final class GameRegistry {
    private final Map<String, GameRules<?, ?, ?, ?>> games = new LinkedHashMap<>();

    public GameRegistry register(GameRules<?, ?, ?, ?> rules) {
        if (games.putIfAbsent(rules.id(), rules) != null) {
            throw new IllegalArgumentException("game registered twice: " + rules.id());
        }
        return this;
    }

    /** The ids of the hosted games, in registration order. */
    public java.util.Set<String> ids() {
        return java.util.Collections.unmodifiableSet(games.keySet());
    }

    public Optional<GameRules<?, ?, ?, ?>> find(String id) {
        return Optional.ofNullable(id == null ? null : games.get(id));
    }
}
