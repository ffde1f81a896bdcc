package dev.runeforge.game.engine;

import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;

/**
 * A session as the engine holds it: the game's state plus its position in the log ({@code seq}, the last
 * session sequence number; {@code streamSeq}, the JetStream sequence of its last commit, used to fence appends)
 * and the recently applied action ids. Immutable; {@link #fold} gives the next one.
 */
public record LiveSession<S, C, E>(GameRules<S, C, E> rules, String id, String code, S state, long seq,
                                   long streamSeq, RecentIds applied) {
    public LiveSession {
        Objects.requireNonNull(rules);
        Objects.requireNonNull(id);
        Objects.requireNonNull(state);
        Objects.requireNonNull(applied);
    }

    public static <S, C, E> LiveSession<S, C, E> empty(GameRules<S, C, E> rules, String id, String code) {
        return new LiveSession<>(rules, id, code, rules.initial(), 0, 0, new RecentIds());
    }

    /** The session after {@code commit}, stored at JetStream sequence {@code streamSeq}. */
    public LiveSession<S, C, E> fold(Commit commit, long streamSeq) {
        if (commit.firstSeq() != seq + 1) {
            throw new IllegalStateException("commit " + commit.firstSeq() + " does not follow seq " + seq
                    + " of session " + id);
        }
        S next = state;
        for (JsonNode event : commit.events()) {
            next = rules.apply(next, Json.convert(event, rules.eventType()));
        }
        return new LiveSession<>(rules, id, code == null ? commit.code() : code, next, commit.lastSeq(), streamSeq,
                applied.with(commit.actionId()));
    }

    /** This session as stored at JetStream sequence {@code streamSeq} (its commit was folded before the append). */
    public LiveSession<S, C, E> storedAt(long streamSeq) {
        return new LiveSession<>(rules, id, code, state, seq, streamSeq, applied);
    }

    public boolean hasMember(String player) {
        return rules.isMember(state, player);
    }

    public boolean created() {
        return seq > 0;
    }
}
