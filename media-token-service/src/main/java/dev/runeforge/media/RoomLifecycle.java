package dev.runeforge.media;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Logger;

import dev.runeforge.common.bus.SessionsBucket;
import dev.runeforge.common.session.SessionSummary;

/**
 * Follows the session directory and keeps LiveKit's rooms in step: a session seen open gets its room created (max
 * participants and empty timeout from config); a session that closes (or whose summary is deleted) loses its room; a
 * player newly in {@code barred} is removed from the room at once (their token is refused from then on, and the one
 * they hold lapses within its short TTL).
 *
 * <p>Calls run on the watch's own dispatcher thread ({@link SessionsBucket#watch}), one at a time and in the directory's order, so a create never
 * overtakes the delete of the same room. A failed create is retried on the session's next summary. Every replica of
 * media-token-service does this; the calls are idempotent (create returns the existing room, delete and remove
 * treat "not found" as done).
 */
final class RoomLifecycle implements SessionsBucket.Watcher {
    private static final Logger LOG = Logger.getLogger(RoomLifecycle.class.getName());
    /** On the first replay, closed sessions older than this are left alone: LiveKit's empty timeout took their rooms. */
    private static final Duration REPLAY_CLOSED_WITHIN = Duration.ofDays(1);

    private record Known(boolean closed, Set<String> barred, boolean roomCreated) {
    }

    private final LiveKitRooms rooms;
    private final RoomNames names;
    private final Clock clock;
    private final Map<String, Known> known = new HashMap<>();
    private volatile boolean replayed;

    RoomLifecycle(LiveKitRooms rooms, RoomNames names, Clock clock) {
        this.rooms = Objects.requireNonNull(rooms);
        this.names = Objects.requireNonNull(names);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Whether the directory's existing entries have all been seen (the watch's end of initial data). */
    boolean replayed() {
        return replayed;
    }

    @Override
    public synchronized void removed(String session) {
        Known before = known.remove(session);
        if (before != null && !before.closed()) {
            rooms.deleteRoom(names.of(session));
        }
    }

    @Override
    public synchronized void written(String session, SessionSummary summary) {
        Known before = known.get(session);
        String room = names.of(session);
        if (summary.closed()) {
            known.put(session, new Known(true, Set.copyOf(summary.barred()), false));
            boolean recent = replayed || clock.millis() - summary.updated() < REPLAY_CLOSED_WITHIN.toMillis();
            if ((before == null || !before.closed()) && recent) {
                rooms.deleteRoom(room);
            }
            return;
        }
        boolean created = before != null && before.roomCreated();
        if (!created) {
            created = rooms.createRoom(room);
            if (created) {
                LOG.info(() -> "voice room created session=" + session + " room=" + room);
            }
        }
        Set<String> newlyBarred = new HashSet<>(summary.barred());
        if (before != null) {
            newlyBarred.removeAll(before.barred());
        }
        for (String player : newlyBarred) {
            if (rooms.removeParticipant(room, player)) {
                LOG.info(() -> "removed a barred player from voice session=" + session + " player=" + player);
            }
        }
        known.put(session, new Known(false, Set.copyOf(summary.barred()), created));
    }

    @Override
    public void caughtUp() {
        replayed = true;
    }
}
