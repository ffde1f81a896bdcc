package dev.runeforge.game.engine;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One stored message on {@code rf.evt.<session>}: every event one action produced, appended atomically, so a
 * crash or a fenced append can never leave half an action in the log. Events carry session sequence numbers
 * {@code firstSeq}, {@code firstSeq + 1}, ...
 */
public record Commit(String session, String game, String code, String actionId, String actor, long at,
                     long firstSeq, List<JsonNode> events) {
    public Commit {
        Objects.requireNonNull(session);
        Objects.requireNonNull(game);
        Objects.requireNonNull(actionId);
        events = List.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a commit holds at least one event");
        }
        if (firstSeq < 1) {
            throw new IllegalArgumentException("firstSeq starts at 1");
        }
    }

    public long lastSeq() {
        return firstSeq + events.size() - 1;
    }
}
