package dev.runeforge.common.session;

import java.util.List;
import java.util.Objects;

/**
 * A session as the platform outside its game sees it: which game, who is in it, who hosts it, who is barred,
 * whether it has closed. The owning game instance writes it to the KV bucket {@code Subjects#sessionsBucket()}
 * (key = session id) after every commit that changes it, so the gateway (REST), media-token-service (who may
 * talk) and persistence-service (session history) learn membership without knowing any game's rules.
 *
 * @param code    the room code players join with (null once the session has closed and the code is freed)
 * @param host    the player who may end the session, or null when the game has none
 * @param members current members, in joining order
 * @param barred  players removed by the host (kicked) who may not come back while the session lives
 * @param seq     the event sequence this summary reflects (a reader keeps the highest)
 * @param updated epoch millis of that event
 */
public record SessionSummary(String session, String game, String code, String host, List<Member> members,
                             List<String> barred, boolean closed, long seq, long updated) {
    public SessionSummary {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(game, "game");
        members = members == null ? List.of() : List.copyOf(members);
        barred = barred == null ? List.of() : List.copyOf(barred);
    }

    public record Member(String id, String name) {
        public Member {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
        }
    }

    public boolean isMember(String player) {
        return members.stream().anyMatch(m -> m.id().equals(player));
    }

    public boolean isBarred(String player) {
        return barred.contains(player);
    }
}
