package dev.runeforge.persistence.archive;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusHeaders;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.session.SessionSummary;
import io.nats.client.Message;
import io.nats.client.impl.Headers;

/**
 * One stored commit as the archive reads it, knowing no game: the commit's JSON ({@code session}, {@code code},
 * {@code at}, {@code firstSeq}, {@code events}) and the headers the game instance put on it ({@link BusHeaders}).
 *
 * @param tallies per event seq: player -> counter -> increment (empty when the commit adds none)
 * @param summary the session's summary after the commit when the commit changed it, else null
 */
record ArchivedCommit(String session, String game, String code, long at, long firstSeq, List<JsonNode> events,
                      Map<Long, Map<String, Map<String, Long>>> tallies, SessionSummary summary) {
    private static final TypeReference<Map<Long, Map<String, Map<String, Long>>>> TALLIES = new TypeReference<>() {
    };

    /** A game-agnostic event type: the body's {@code type}, when it has one. */
    static String type(JsonNode event) {
        JsonNode type = event.path("type");
        return type.isTextual() ? type.asText() : null;
    }

    /** Reads a message of the events stream; {@link IllegalArgumentException} when it is no commit. */
    static ArchivedCommit of(Message m) {
        JsonNode commit = Json.read(m.getData(), JsonNode.class);
        String session = text(commit, "session");
        Headers headers = m.getHeaders();
        String game = headers == null ? null : headers.getFirst(BusHeaders.GAME);
        if (game == null) {
            game = text(commit, "game"); // a commit stored before the header existed
        }
        if (session == null || game == null) {
            throw new IllegalArgumentException("a commit names its session and game");
        }
        long firstSeq = commit.path("firstSeq").asLong(0);
        if (firstSeq < 1 || !commit.path("events").isArray() || commit.path("events").isEmpty()) {
            throw new IllegalArgumentException("a commit has a firstSeq and events");
        }
        List<JsonNode> events = new ArrayList<>();
        commit.path("events").forEach(events::add);
        for (JsonNode e : events) {
            if (!e.isObject()) {
                throw new IllegalArgumentException("an event is a JSON object");
            }
        }
        String tally = headers == null ? null : headers.getFirst(BusHeaders.TALLY);
        String summary = headers == null ? null : headers.getFirst(BusHeaders.SESSION);
        return new ArchivedCommit(session, game, text(commit, "code"), commit.path("at").asLong(0), firstSeq, events,
                tally == null ? Map.of() : readTallies(tally),
                summary == null ? null : Json.read(summary, SessionSummary.class));
    }

    private static Map<Long, Map<String, Map<String, Long>>> readTallies(String json) {
        try {
            return Json.MAPPER.readValue(json, TALLIES);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("unreadable " + BusHeaders.TALLY + " header: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() ? v.asText() : null;
    }
}
