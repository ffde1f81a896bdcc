package dev.runeforge.persistence.permalink;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.runeforge.common.bus.EventsStream;
import dev.runeforge.common.permalink.RollFact;

/**
 * A roll fact as the permalink tables store it: what a game declared for one event ({@link RollFact}, carried by
 * the commit, {@link EventsStream}) with the event's place, its session and sequence number, and the room code. This
 * service knows no game's events: a game that declares no roll facts has no permalinks, and a new one needs no change
 * here.
 */
public record PlacedRoll(String session, long seq, String code, RollFact fact) {
    public PlacedRoll {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(fact, "fact");
    }

    /**
     * The roll facts a stored commit carries, in event order. A commit without a room code gives "" ({@code
     * room_code} is NOT NULL, and a row that could never be stored would stall the projection).
     */
    public static List<PlacedRoll> of(EventsStream.Stored stored) {
        String code = stored.commit().code() == null ? "" : stored.commit().code();
        List<PlacedRoll> placed = new ArrayList<>(stored.declared().rolls().size());
        stored.declared().rolls().forEach((seq, fact) ->
                placed.add(new PlacedRoll(stored.commit().session(), seq, code, fact)));
        return placed;
    }
}
