package dev.runeforge.gateway.save;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.runeforge.common.bus.Subjects;
import dev.runeforge.gateway.rest.Requests;

/**
 * The game ids the game instances host, asked of them ({@code <ns>.game.games}) and kept for a while: a save may
 * only name one of these. A new game is registered in game-instance-service alone; the gateway learns it from
 * there. When no game instance answers, the request fails with UNAVAILABLE (and nothing is cached).
 */
public final class HostedGames {
    /** The reply of {@code <ns>.game.games}. */
    record Reply(List<String> games) {
        Reply {
            games = games == null ? List.of() : List.copyOf(games);
        }
    }

    private final Requests requests;
    private final Subjects subjects;
    private final Duration keep;
    private final Clock clock;
    private volatile Set<String> known;
    private volatile Instant until = Instant.MIN;

    public HostedGames(Requests requests, Subjects subjects, Duration keep, Clock clock) {
        this.requests = Objects.requireNonNull(requests);
        this.subjects = Objects.requireNonNull(subjects);
        this.keep = Objects.requireNonNull(keep);
        this.clock = Objects.requireNonNull(clock);
    }

    /** The hosted game ids; throws RpcException (UNAVAILABLE) when no game instance can say. */
    public Set<String> ids() {
        Instant now = clock.instant();
        Set<String> cached = known;
        if (cached != null && now.isBefore(until)) {
            return cached;
        }
        Set<String> fresh = Set.copyOf(requests.request(subjects.gameList(), Map.of(), Reply.class).games());
        known = fresh;
        until = now.plus(keep);
        return fresh;
    }
}
