package dev.runeforge.persistence.player;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;

import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.player.OidcProfile;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.persistence.Main;
import dev.runeforge.testsupport.TestNats;
import dev.runeforge.testsupport.TestPostgres;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code rf.db.player.oidc}: OIDC identities map to one player each; a guest id becomes an account at most once. */
class PlayerProfilesIT {
    private static final Duration T = Duration.ofSeconds(5);
    private static final String ISS = "https://id.example";
    private static String ns;
    private static TestPostgres.Database db;
    private static ServiceRuntime.Running persistence;
    private static Connection nc;

    @BeforeAll
    static void start() throws Exception {
        ns = TestNats.newNamespace();
        db = TestPostgres.newDatabase();
        persistence = Main.start(ServiceConfig.load(TestNats.service(Main.SERVICE, Map.of("bus.namespace", ns,
                "admin.port", "0", "db.url", db.jdbcUrl(), "db.user", db.user(), "db.password", db.password()))));
        nc = TestNats.connectIn(ns);
    }

    @AfterAll
    static void stop() throws Exception {
        nc.close();
        persistence.close();
        TestNats.deleteNamespace(ns);
    }

    private static OidcProfile.Player upsert(OidcProfile p) throws Exception {
        long deadline = System.nanoTime() + T.toNanos();
        while (true) {
            try {
                return Rpc.request(nc, new Subjects(ns).dbPlayerOidc(), p, OidcProfile.Player.class, T);
            } catch (RpcException e) {
                // The first requests may meet the migration still running.
                if (!ErrorCodes.UNAVAILABLE.equals(e.code()) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    void anIdentityKeepsItsPlayerAndItsNameIsRefreshed() throws Exception {
        var first = upsert(new OidcProfile(ISS, "sub-1", "Alice", "a@example.org", null));
        assertTrue(first.id().startsWith("u-"), first.id());
        assertFalse(first.linked());
        var again = upsert(new OidcProfile(ISS, "sub-1", "Alice L", null, null));
        assertEquals(first.id(), again.id());
        try (var c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             ResultSet rs = c.createStatement().executeQuery("SELECT display_name, kind FROM players WHERE id = '" + first.id() + "'")) {
            assertTrue(rs.next());
            assertEquals("Alice L", rs.getString(1));
            assertEquals("oidc", rs.getString(2));
        }
        // The same subject at another provider is someone else.
        assertNotEquals(first.id(), upsert(new OidcProfile("https://other.example", "sub-1", "Alice", null, null)).id());
    }

    @Test
    void aGuestIdIsLinkedOnceAndOnlyAGuestIdIsLinked() throws Exception {
        var linked = upsert(new OidcProfile(ISS, "sub-2", "Bob", null, "g-bob"));
        assertEquals("g-bob", linked.id());
        assertTrue(linked.linked());
        // Another identity cannot take over the same guest id.
        var other = upsert(new OidcProfile(ISS, "sub-3", "Eve", null, "g-bob"));
        assertNotEquals("g-bob", other.id());
        // Only guest ids (g-...) are linkable: an account id is not.
        var third = upsert(new OidcProfile(ISS, "sub-4", "Eve", null, other.id()));
        assertNotEquals(other.id(), third.id());
        // A known identity signing in from a guest browser stays its own player.
        assertEquals("g-bob", upsert(new OidcProfile(ISS, "sub-2", "Bob", null, "g-someone-else")).id());
    }

    @Test
    void anIncompleteProfileIsATypedError() {
        RpcException e = assertThrows(RpcException.class, () -> Rpc.request(nc, new Subjects(ns).dbPlayerOidc(),
                Map.of("issuer", ISS), OidcProfile.Player.class, T));
        assertEquals(ErrorCodes.BAD_MESSAGE, e.code());
    }
}
