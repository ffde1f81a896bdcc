package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.permalink.Permalink;
import dev.runeforge.common.permalink.PublicRoll;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.testsupport.TestNats;
import dev.runeforge.testsupport.WsClient;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's "Verified" natural 20: a roll that never was in the event log is never signed, whoever asks. Only
 * persistence-service may ask auth-service to sign ({@code <ns>.auth.sign.roll}), and it asks only for rows its
 * projector stored from the event log; everyone else, the gateway first, can only name a roll id.
 */
class ForgedRollIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static Platform platform;
    private static Subjects subjects;

    @BeforeAll
    static void start() throws Exception {
        platform = new Platform();
        subjects = new Subjects(platform.namespace);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    /** A natural 20 nobody rolled. */
    private static PublicRoll forged(String id) {
        return new PublicRoll(1, id, "room-digest", "Mallory", "1d20",
                List.of(new PublicRoll.Term(1, 1, 20, "1d20", List.of(new PublicRoll.Die(20, true, false)), 20)),
                0, 20, null, null, false, System.currentTimeMillis(), null);
    }

    private static String rollId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    @Test
    void noIdentityButPersistenceMayAskAuthServiceToSignARoll() throws Exception {
        for (String identity : List.of("gateway-service", "game-instance-service", "media-token-service", "auth-service",
                "operator")) {
            Set<String> refused = ConcurrentHashMap.newKeySet();
            try (Connection nc = Nats.connect(TestNats.options(identity, platform.namespace)
                    .errorListener(new ErrorListener() {
                        @Override
                        public void errorOccurred(Connection conn, String error) {
                            refused.add(error);
                        }
                    }).build())) {
                RpcException e = assertThrows(RpcException.class, () -> Rpc.request(nc, subjects.authSignRoll(),
                        forged(rollId()), Permalink.Signature.class, Duration.ofSeconds(2)), identity + " got a signature");
                assertEquals(ErrorCodes.UNAVAILABLE, e.code(), identity + ": the request never reaches auth-service");
                String violation = "Permissions Violation for Publish to \"" + subjects.authSignRoll() + "\"";
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!refused.contains(violation) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(refused.contains(violation), identity + ": the server refused the publish " + refused);
            }
        }
    }

    @Test
    void aRollThatIsNotInTheLogIsNeverServedSigned() throws Exception {
        String id = rollId();
        HttpResponse<String> res = platform.get(platform.http("/api/permalink/" + id), null);
        assertEquals(404, res.statusCode(), res.body());
        assertFalse(res.body().contains("jws"), res.body());

        // What the gateway's own key can do on the bus: name an id, which persistence looks up in its store.
        try (Connection gateway = Nats.connect(TestNats.options("gateway-service", platform.namespace).build())) {
            RpcException e = assertThrows(RpcException.class, () -> Rpc.request(gateway, subjects.dbPermalinkSigned(),
                    new Permalink.Get(id), Permalink.Signed.class, WAIT));
            assertEquals(ErrorCodes.PERMALINK_NOT_FOUND, e.code());
        }
    }

    /** The control: a roll made through the game is in the log, projected, and served signed. */
    @Test
    void aRollFromTheLogIsServedSigned() throws Exception {
        try (WsClient ada = platform.player("Ada")) {
            String session = PermalinkIT.room(ada, "open");
            JsonNode rolled = PermalinkIT.roll(ada, session, Map.of("type", "roll", "formula", "1d20"));
            JsonNode permalink = PermalinkIT.awaitPermalink(platform, rolled.path("id").asText(), WAIT);
            assertTrue(permalink.path("jws").asText().contains(".."), "a detached JWS: " + permalink);
            assertEquals(rolled.path("total").asInt(), permalink.path("roll").path("total").asInt());
        }
    }
}
