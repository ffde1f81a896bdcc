package dev.runeforge.common.bus;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The body of one stored message on {@code <ns>.evt.<session>} ({@link EventsStream}): every event one action
 * produced, appended atomically, so a crash or a fenced append can never leave half an action in the log. Events
 * carry session sequence numbers {@code firstSeq}, {@code firstSeq + 1}, ...; each is a JSON object naming its
 * {@code type}, in its game's own format.
 *
 * @param v the envelope's version: 1 (absent from the JSON) for commits stored before games declared their roll
 *          facts (issue 19), {@link #VERSION} since; see {@link EventsStream#read}
 */
public record Commit(Integer v, String session, String game, String code, String actionId, String actor, long at,
                     long firstSeq, List<JsonNode> events) {
    /** The version this code writes. */
    public static final int VERSION = 2;

    @JsonCreator
    public Commit {
        v = v == null ? 1 : v;
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
        for (JsonNode event : events) {
            if (!event.isObject()) {
                throw new IllegalArgumentException("an event is a JSON object");
            }
        }
    }

    /** A commit of this version. */
    public Commit(String session, String game, String code, String actionId, String actor, long at, long firstSeq,
                  List<JsonNode> events) {
        this(VERSION, session, game, code, actionId, actor, at, firstSeq, events);
    }

    public long lastSeq() {
        return firstSeq + events.size() - 1;
    }
}
