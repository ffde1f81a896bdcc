package dev.runeforge.gateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.session.SessionSummary;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.KeyValue;

/**
 * A test stand-in for the game instance's session-directory writer (built on another branch): it follows the dice
 * events that the game instance commits ({@code <ns>.evt.>}) and writes each session's {@link SessionSummary}
 * (creator = host, members, kicked = barred, closed) to {@code <ns>-sessions}, so that browser tests of voice can
 * get real tokens today. Once the real writer is merged it writes the same facts and this class should go.
 */
final class DiceSummaryStandIn implements AutoCloseable {
    private record State(String game, String code, String host, Map<String, String> members, List<String> barred,
                         boolean closed, long seq) {
    }

    private final Connection nc;
    private final Dispatcher dispatcher;
    private final Map<String, State> sessions = new LinkedHashMap<>();

    DiceSummaryStandIn(Connection nc, Subjects subjects) throws Exception {
        this.nc = nc;
        KeyValue kv = nc.keyValue(subjects.sessionsBucket());
        dispatcher = nc.createDispatcher(msg -> {
            JsonNode commit = Json.tree(msg.getData());
            String session = commit.path("session").asText();
            State s = sessions.getOrDefault(session, new State(commit.path("game").asText(), commit.path("code").asText(null),
                    null, new LinkedHashMap<>(), new ArrayList<>(), false, 0));
            String host = s.host();
            boolean closed = s.closed();
            long seq = commit.path("firstSeq").asLong() + commit.path("events").size() - 1;
            for (JsonNode e : commit.path("events")) {
                switch (e.path("type").asText()) {
                    case "room_created" -> {
                        host = e.path("creator").path("id").asText();
                        s.members().put(host, e.path("creator").path("name").asText());
                    }
                    case "player_joined" -> s.members().put(e.path("player").path("id").asText(),
                            e.path("player").path("name").asText());
                    case "player_left" -> s.members().remove(e.path("player").asText());
                    case "player_kicked" -> {
                        s.members().remove(e.path("player").asText());
                        s.barred().add(e.path("player").asText());
                    }
                    case "room_closed" -> closed = true;
                    default -> {
                    }
                }
            }
            State next = new State(s.game(), s.code(), host, s.members(), s.barred(), closed, seq);
            sessions.put(session, next);
            List<SessionSummary.Member> members = next.members().entrySet().stream()
                    .map(m -> new SessionSummary.Member(m.getKey(), m.getValue())).toList();
            try {
                kv.put(session, Json.bytes(new SessionSummary(session, next.game(), closed ? null : next.code(), host,
                        members, next.barred(), closed, seq, System.currentTimeMillis())));
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
        dispatcher.subscribe(subjects.eventsAll());
        nc.flush(java.time.Duration.ofSeconds(2));
    }

    @Override
    public void close() {
        nc.closeDispatcher(dispatcher);
    }
}
