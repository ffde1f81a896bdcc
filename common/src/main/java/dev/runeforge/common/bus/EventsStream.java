package dev.runeforge.common.bus;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.permalink.RollFact;
import dev.runeforge.common.session.SessionSummary;
import io.nats.client.Message;
import io.nats.client.impl.Headers;

/**
 * The events stream ({@link Subjects#eventsStream()}, one subject per session, {@link Subjects#events}): the
 * authoritative log. One message per {@link Commit} (its JSON is the body), with headers that tell readers what
 * they need without any game's classes: the game ({@link BusHeaders#GAME}), what each event adds to players'
 * statistics ({@link BusHeaders#TALLY}), the roll facts each event declared ({@link BusHeaders#ROLLS}) and the
 * session's summary when the commit changed it ({@link BusHeaders#SESSION}). One contract for the game instance that
 * appends and rebuilds sessions and for persistence-service's projections (archive, statistics, permalinks).
 *
 * <p>Commits stored before issue 19 (version 1, no {@code v} in the body) carry no roll facts: {@link #read} derives
 * them from the dice room's events as persistence-service used to ({@link LegacyRolls}). Both versions are read; only
 * version 2 is written.
 */
public final class EventsStream {
    /**
     * JSON for a NATS header value, which must be printable ASCII: everything else is escaped (backslash-u escapes,
     * and surrogate pairs beyond the BMP), which every JSON reader turns back into the same text. A display name such
     * as "Zoë" would otherwise make jnats refuse the header, and the append with it.
     */
    private static final ObjectWriter HEADER_JSON = Json.MAPPER.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);
    private static final TypeReference<Map<Long, Map<String, Map<String, Long>>>> TALLIES = new TypeReference<>() {
    };
    private static final TypeReference<Map<Long, RollFact>> ROLLS = new TypeReference<>() {
    };

    /**
     * The header writers and readers, made once, not per commit: a writer or reader for a type looks up its
     * serialiser when it is made (the header JSON was a tenth of the game instance's profile samples at 4,000
     * players, docs/performance.md). Made on first use, not in this class's static initialiser: making them takes
     * Jackson's serialiser and deserialiser cache locks, and a virtual thread that waits for a lock inside a static
     * initialiser holds its carrier. A fresh game instance deadlocked that way (docs/performance.md, "A takeover
     * that never answered"); here a thread that waits for those locks lets its carrier go.
     */
    private record Codecs(ObjectWriter tallies, ObjectWriter rolls, ObjectWriter summary, ObjectReader talliesReader,
                          ObjectReader rollsReader, ObjectReader summaryReader) {
        static Codecs make() {
            return new Codecs(HEADER_JSON.forType(TALLIES), HEADER_JSON.forType(ROLLS),
                    HEADER_JSON.forType(SessionSummary.class), Json.MAPPER.readerFor(TALLIES),
                    Json.MAPPER.readerFor(ROLLS), Json.MAPPER.readerFor(SessionSummary.class));
        }
    }

    private static volatile Codecs codecs;

    /** The codecs; two threads that come first may both make them, which is harmless (they are equal). */
    private static Codecs codecs() {
        Codecs c = codecs;
        if (c == null) {
            c = Codecs.make();
            codecs = c;
        }
        return c;
    }

    private EventsStream() {
    }

    /**
     * What a commit's game declared for its events, by session sequence number; events that declare nothing are
     * left out.
     *
     * @param tallies player -> counter -> increment ({@code GameRules.tally}); persistence-service adds them to
     *                {@code player_stats} exactly once
     * @param rolls   the roll permalinks' facts
     */
    public record Declared(Map<Long, Map<String, Map<String, Long>>> tallies, Map<Long, RollFact> rolls) {
        public static final Declared NONE = new Declared(Map.of(), Map.of());

        /** Copied, in seq order (the headers list the events in order). */
        public Declared {
            tallies = Collections.unmodifiableSortedMap(new TreeMap<>(tallies));
            rolls = Collections.unmodifiableSortedMap(new TreeMap<>(rolls));
        }
    }

    /**
     * A stored commit as a reader of the log gets it.
     *
     * @param game    the session's game ({@link BusHeaders#GAME}, else the commit's own, from before the header)
     * @param summary the session's summary after the commit when the commit changed it, else null
     */
    public record Stored(Commit commit, String game, Declared declared, SessionSummary summary) {
        public Stored {
            Objects.requireNonNull(commit);
            Objects.requireNonNull(game);
            Objects.requireNonNull(declared);
        }
    }

    /** The message body of {@code commit}. */
    public static byte[] body(Commit commit) {
        return Json.bytes(commit);
    }

    /** A commit from a message body, of either version; {@link IllegalArgumentException} when it is none. */
    public static Commit commit(byte[] body) {
        return Json.read(body, Commit.class);
    }

    /** The headers a stored {@code commit} carries: {@code declared}, and the session's changed summary (or null). */
    public static Headers headers(Commit commit, Declared declared, SessionSummary summary) {
        Headers headers = new Headers();
        headers.put(BusHeaders.GAME, commit.game());
        if (!declared.tallies().isEmpty()) {
            headers.put(BusHeaders.TALLY, headerJson(codecs().tallies(), declared.tallies()));
        }
        if (!declared.rolls().isEmpty()) {
            headers.put(BusHeaders.ROLLS, headerJson(codecs().rolls(), declared.rolls()));
        }
        if (summary != null) {
            headers.put(BusHeaders.SESSION, headerJson(codecs().summary(), summary));
        }
        return headers;
    }

    /** The summary a stored commit carries ({@link BusHeaders#SESSION}), if it changed the session's. */
    public static Optional<SessionSummary> summary(Headers headers) {
        return Optional.ofNullable(header(headers, BusHeaders.SESSION, codecs().summaryReader(), null));
    }

    /** Reads a message of the events stream; {@link IllegalArgumentException} when it is no commit. */
    public static Stored read(Message m) {
        Commit commit = commit(m.getData());
        Headers headers = m.getHeaders();
        String game = headers == null ? null : headers.getFirst(BusHeaders.GAME);
        Map<Long, Map<String, Map<String, Long>>> tallies = header(headers, BusHeaders.TALLY, codecs().talliesReader(), Map.of());
        Map<Long, RollFact> rolls = commit.v() < Commit.VERSION ? LegacyRolls.of(commit)
                : header(headers, BusHeaders.ROLLS, codecs().rollsReader(), Map.of());
        return new Stored(commit, game == null ? commit.game() : game, new Declared(tallies, rolls),
                summary(headers).orElse(null));
    }

    /**
     * A game-agnostic event type: the body's {@code type}, when it has one (every game names its events' types
     * there: its events are a sealed interface with Jackson's type property {@code type}).
     */
    public static String type(JsonNode event) {
        JsonNode type = event.path("type");
        return type.isTextual() ? type.asText() : null;
    }

    /** Header {@code name} read with {@code reader}, or {@code absent} when the message has no such header. */
    private static <T> T header(Headers headers, String name, ObjectReader reader, T absent) {
        String json = headers == null ? null : headers.getFirst(name);
        if (json == null) {
            return absent;
        }
        try {
            return reader.readValue(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("unreadable " + name + " header: " + e.getMessage(), e);
        }
    }

    private static String headerJson(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }
}
