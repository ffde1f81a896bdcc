package dev.runeforge.game.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.Commit;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.session.SessionSummary;

/**
 * A session as the engine holds it: the game's state plus its position in the log ({@code seq}, the last
 * session sequence number; {@code streamSeq}, the JetStream sequence of its last commit, used to fence appends)
 * and the recently applied action ids. Immutable; {@link #fold} gives the next one.
 */
public record LiveSession<S, C, E>(GameRules<S, C, E, ?> rules, String id, String code, S state, long seq,
                                   long streamSeq, RecentIds applied) {
    public LiveSession {
        Objects.requireNonNull(rules);
        Objects.requireNonNull(id);
        Objects.requireNonNull(state);
        Objects.requireNonNull(applied);
    }

    public static <S, C, E> LiveSession<S, C, E> empty(GameRules<S, C, E, ?> rules, String id, String code) {
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

    /**
     * The session after {@code commit}, whose events the caller has already folded into {@code next} (so they are
     * not applied twice), stored at JetStream sequence {@code streamSeq}.
     */
    public LiveSession<S, C, E> after(Commit commit, S next, long streamSeq) {
        if (commit.firstSeq() != seq + 1) {
            throw new IllegalStateException("commit " + commit.firstSeq() + " does not follow seq " + seq
                    + " of session " + id);
        }
        return new LiveSession<>(rules, id, code == null ? commit.code() : code, next, commit.lastSeq(), streamSeq,
                applied.with(commit.actionId()));
    }

    /** This session as stored at JetStream sequence {@code streamSeq} (its commit was folded before the append). */
    public LiveSession<S, C, E> storedAt(long streamSeq) {
        return new LiveSession<>(rules, id, code, state, seq, streamSeq, applied);
    }

    /**
     * This session as the platform outside its game sees it ({@code SessionsBucket}), stamped {@code updated}
     * (epoch ms); null before its creation.
     */
    public SessionSummary summary(long updated) {
        if (!created()) {
            return null;
        }
        boolean closed = rules.closed(state);
        List<SessionSummary.Member> members = new ArrayList<>();
        rules.memberNames(state).forEach((member, name) -> members.add(new SessionSummary.Member(member, name)));
        return new SessionSummary(id, rules.id(), closed ? null : code, rules.host(state).orElse(null), members,
                rules.barred(state), closed, seq, updated);
    }

    public boolean hasMember(String player) {
        return rules.isMember(state, player);
    }

    public boolean created() {
        return seq > 0;
    }
}
