package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.testsupport.WsClient;
import org.junit.jupiter.api.Test;

/**
 * With PostgreSQL stopped for 30 s during play, rolls go on; after it is back, every permalink exists exactly
 * once. The database is a private cluster of this test (the shared one stays up for everyone else); the game is
 * the real game instance, the rolls go over the player WebSocket.
 */
class PermalinkOutageIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Three of the persistence pool's 5 s connection timeouts. */
    private static final Duration OUTAGE = Duration.ofSeconds(15);

    @Test
    void rollsGoOnWhilePostgresIsDownAndEveryPermalinkExistsExactlyOnceAfterwards() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.create()) {
            pg.start();
            pg.createDatabase("runeforge");
            try (Platform platform = new Platform(Map.of(
                    "db.url", pg.jdbcUrl("runeforge"), "db.user", "postgres", "db.password", "",
                    "game.dice.rolls.limit", "1000", "gateway.rate.burst", "1000", "gateway.rate.refill", "1000"));
                 WsClient dm = platform.player("Dora")) {
                String session = PermalinkIT.room(dm, "dm-led");
                Set<String> open = new LinkedHashSet<>();
                List<String> hidden = new ArrayList<>();

                String first = PermalinkIT.roll(dm, session, Map.of("type", "roll", "formula", "1d20")).path("id").asText();
                open.add(first);
                PermalinkIT.awaitPermalink(platform, first, Duration.ofSeconds(30));

                pg.stop();
                long outageEnds = System.nanoTime() + OUTAGE.toNanos();
                // Reads during the outage fail fast with a typed answer, not a hang.
                HttpResponse<String> down = platform.get(platform.http("/api/permalink/" + first), null);
                assertEquals(503, down.statusCode(), down.body());
                assertEquals("UNAVAILABLE", Json.read(down.body(), JsonNode.class).path("code").asText());

                int rolls = 0;
                while (System.nanoTime() < outageEnds) {
                    boolean secret = rolls % 4 == 3;
                    Map<String, Object> body = new HashMap<>(Map.of("type", "roll", "formula", "2d6+1"));
                    if (secret) {
                        body.put("hidden", true);
                    }
                    // Each roll is accepted and seen by its player within the usual time: play goes on.
                    String id = PermalinkIT.roll(dm, session, body).path("id").asText();
                    if (secret) {
                        hidden.add(id);
                    } else {
                        open.add(id);
                    }
                    rolls++;
                    Thread.sleep(200);
                }
                // Reveal all hidden rolls but the last, still during the outage.
                for (String id : hidden.subList(0, hidden.size() - 1)) {
                    dm.send(Map.of("type", "action", "id", UUID.randomUUID().toString(), "session", session,
                            "body", Map.of("type", "reveal", "roll", id)));
                    dm.await(m -> "roll_revealed".equals(m.path("body").path("type").asText())
                            && id.equals(m.path("body").path("roll").asText()), WAIT);
                    open.add(id);
                }
                String stillHidden = hidden.get(hidden.size() - 1);
                assertTrue(rolls >= 40, "rolls went on during the outage: " + rolls);

                pg.start();
                for (String id : open) {
                    JsonNode permalink = PermalinkIT.awaitPermalink(platform, id, Duration.ofSeconds(60));
                    assertEquals(id, permalink.path("roll").path("id").asText());
                }
                assertEquals(404, platform.get(platform.http("/api/permalink/" + stillHidden), null).statusCode(),
                        "a hidden roll never revealed has no permalink");

                try (var c = DriverManager.getConnection(pg.jdbcUrl("runeforge"), "postgres", "");
                     var st = c.createStatement()) {
                    Map<String, Integer> rows = new HashMap<>();
                    try (var rs = st.executeQuery("SELECT id, count(*) FROM roll_permalinks GROUP BY id")) {
                        while (rs.next()) {
                            rows.put(rs.getString(1), rs.getInt(2));
                        }
                    }
                    for (String id : open) {
                        assertEquals(1, rows.getOrDefault(id, 0), "exactly one permalink row for " + id);
                    }
                    assertEquals(1, rows.getOrDefault(stillHidden, 0), "the unrevealed roll is stored, not public");
                    assertEquals(open.size() + 1, rows.size(), "no other rows");
                    try (var rs = st.executeQuery("SELECT count(*), count(DISTINCT (session, seq)) FROM roll_permalinks")) {
                        rs.next();
                        assertEquals(rs.getInt(1), rs.getInt(2));
                    }
                    try (var rs = st.executeQuery("SELECT count(*) FROM roll_reveals")) {
                        rs.next();
                        assertEquals(hidden.size() - 1, rs.getInt(1), "one reveal row per reveal");
                    }
                }
            }
        }
    }
}
