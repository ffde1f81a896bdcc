package dev.runeforge.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.json.Json;
import dev.runeforge.testsupport.TestNats;
import dev.runeforge.testsupport.TestPostgres;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PersistenceServiceIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String ns = TestNats.newNamespace();

    @AfterEach
    void cleanNamespace() {
        TestNats.deleteNamespace(ns);
    }

    @Test
    void migratesTheSchemaAndReportsReadyHealthMetricsAndPing() throws Exception {
        TestPostgres.Database database = TestPostgres.newDatabase();
        try (ServiceRuntime.Running running = Main.start(config(database.jdbcUrl(), database.user(), database.password()))) {
            JsonNode ready = awaitReady(running.adminPort());
            assertEquals("UP", ready.path("checks").path("nats").asText());
            assertEquals("UP", ready.path("checks").path("postgres").asText());

            Map<String, Set<String>> columns = columnsOf(database, "players", "sessions", "session_members",
                    "session_events", "player_stats");
            assertEquals(Set.of("id", "display_name", "kind", "created_at", "last_seen_at"), columns.get("players"));
            assertEquals(Set.of("id", "game", "code", "created_by", "created_at", "closed_at", "host", "barred",
                    "updated_at", "last_seq", "summary_seq"), columns.get("sessions"));
            assertEquals(Set.of("session", "player", "name", "ord", "joined_at", "left_at"),
                    columns.get("session_members"));
            assertEquals(Set.of("session", "seq", "game", "type", "body", "at"), columns.get("session_events"));
            assertEquals(Set.of("player", "rolls", "natural_20s", "encounters_won"), columns.get("player_stats"));

            HttpResponse<String> health = get(running.adminPort(), "/health");
            assertEquals(200, health.statusCode());
            assertEquals("UP", json(health.body()).path("status").asText());

            HttpResponse<String> metrics = get(running.adminPort(), "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("hikaricp_connections"), "pool metrics are exported");
            assertTrue(metrics.body().contains("jvm_"), "JVM metrics are exported");

            try (Connection nc = TestNats.connectIn(ns)) {
                Main.PingReply ping = Rpc.request(nc, new Subjects(ns).dbPing(), Map.of(), Main.PingReply.class,
                        Duration.ofSeconds(5));
                assertTrue(ping.ok());
                assertTrue(ping.db(), "the database answers");
            }
        }
    }

    @Test
    void startsAndReportsPostgresDownWhenTheDatabaseIsUnreachable() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/runeforge";
        try (ServiceRuntime.Running running = Main.start(config(url, "postgres", ""))) {
            HttpResponse<String> ready = get(running.adminPort(), "/ready");
            assertEquals(503, ready.statusCode());
            JsonNode checks = json(ready.body()).path("checks");
            assertEquals("DOWN", checks.path("postgres").asText());
            assertEquals("UP", checks.path("nats").asText());

            assertEquals(200, get(running.adminPort(), "/health").statusCode(), "alive, so not restarted");

            try (Connection nc = TestNats.connectIn(ns)) {
                Main.PingReply ping = Rpc.request(nc, new Subjects(ns).dbPing(), Map.of(), Main.PingReply.class,
                        Duration.ofSeconds(5));
                assertTrue(ping.ok(), "the service itself answers");
                assertFalse(ping.db(), "and says honestly that its database does not");
            }
        }
    }

    @Test
    void migratesAndBecomesReadyOnceTheDatabaseAppears() throws Exception {
        // A database that does not exist yet stands in for PostgreSQL coming up after the service.
        TestPostgres.Database server = TestPostgres.newDatabase();
        String base = server.jdbcUrl().substring(0, server.jdbcUrl().lastIndexOf('/') + 1);
        String name = "rf_late_" + Long.toHexString(System.nanoTime());
        try (ServiceRuntime.Running running = Main.start(config(base + name, server.user(), server.password()))) {
            assertEquals(503, get(running.adminPort(), "/ready").statusCode());

            try (var c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                 Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + name);
            }

            JsonNode ready = awaitReady(running.adminPort());
            assertEquals("UP", ready.path("checks").path("postgres").asText());
            var late = new TestPostgres.Database(base + name, server.user(), server.password());
            assertTrue(columnsOf(late, "players").containsKey("players"), "migrations ran after the database appeared");
        }
    }

    private ServiceConfig config(String dbUrl, String user, String password) {
        return ServiceConfig.load(TestNats.service(Main.SERVICE, Map.of(
                "bus.namespace", ns,
                "admin.host", "127.0.0.1",
                "admin.port", "0",
                "db.url", dbUrl,
                "db.user", user,
                "db.password", password)));
    }

    private static Map<String, Set<String>> columnsOf(TestPostgres.Database database, String... tables) throws Exception {
        Map<String, Set<String>> columns = new TreeMap<>();
        try (var c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             var st = c.prepareStatement("SELECT table_name, column_name FROM information_schema.columns "
                     + "WHERE table_schema = 'public' AND table_name = ANY (?)")) {
            st.setArray(1, c.createArrayOf("text", tables));
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    columns.computeIfAbsent(rs.getString(1), t -> new TreeSet<>()).add(rs.getString(2));
                }
            }
        }
        return columns;
    }

    /** Migrations run in the background, so readiness comes a moment after start; poll as a probe would. */
    private static JsonNode awaitReady(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> last;
        do {
            last = get(port, "/ready");
            if (last.statusCode() == 200) {
                return json(last.body());
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return fail("not ready within 30 s: " + last.statusCode() + " " + last.body());
    }

    // Not Json.tree(Object): given a String that makes a JSON string node instead of parsing it.
    private static JsonNode json(String body) {
        return Json.read(body, JsonNode.class);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
