package dev.runeforge.common.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import dev.runeforge.testsupport.TestNats;
import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bus permission table (deploy/nats/permissions.txt), as the test server renders it from the same code the
 * deployments use, against each identity's real credentials: every subject an identity is allowed works, and every
 * other subject any identity uses, plus the attacks of issue 16, is refused by the server (jnats reports each
 * refusal through the error listener: "Permissions Violation for Publish to ..." / "... for Subscription to ...").
 * Without credentials, or without TLS, nothing connects at all.
 */
class BusPermissionIT {
    private static String ns;
    private static Map<String, Map<String, List<String>>> table;
    private static final Map<String, Connection> connections = new LinkedHashMap<>();
    private static final Map<String, Set<String>> refusals = new ConcurrentHashMap<>();

    @BeforeAll
    static void connectEveryIdentity() throws Exception {
        ns = TestNats.newNamespace();
        table = TestNats.generator().expand(List.of(ns));
        for (String identity : table.keySet()) {
            Set<String> seen = ConcurrentHashMap.newKeySet();
            refusals.put(identity, seen);
            connections.put(identity, Nats.connect(TestNats.options(identity, ns).errorListener(new ErrorListener() {
                @Override
                public void errorOccurred(Connection conn, String error) {
                    seen.add(error);
                }
            }).build()));
        }
    }

    @AfterAll
    static void close() throws Exception {
        for (Connection c : connections.values()) {
            c.close();
        }
        TestNats.deleteNamespace(ns);
    }

    @Test
    void everyIdentityOfTheTableConnectsAsItself() {
        assertEquals(List.of("gateway-service", "auth-service", "game-instance-service", "persistence-service",
                "media-token-service", "operator"), List.copyOf(table.keySet()));
        connections.forEach((identity, c) -> assertEquals(Connection.Status.CONNECTED, c.getStatus(), identity));
    }

    /**
     * For every identity: publishing to each of its own subjects and subscribing to each of its own patterns is
     * refused nowhere; publishing or subscribing to any subject of another identity (or of the attacks) that its own
     * rules do not cover is refused, each one.
     */
    @Test
    void eachIdentityMayUseItsSubjectsAndNothingElse() throws Exception {
        Set<String> pubCandidates = new TreeSet<>(attacksToPublish());
        Set<String> subCandidates = new TreeSet<>(attacksToSubscribe());
        table.values().forEach(p -> {
            p.get("pub").forEach(s -> pubCandidates.add(concrete(s)));
            p.get("sub").forEach(s -> subCandidates.add(concrete(s)));
        });

        Map<String, Set<String>> expected = new LinkedHashMap<>();
        for (var entry : table.entrySet()) {
            String identity = entry.getKey();
            Connection c = connections.get(identity);
            List<String> pub = entry.getValue().get("pub");
            List<String> sub = entry.getValue().get("sub");
            Set<String> refused = new TreeSet<>();
            for (String s : pub) {
                c.publish(concrete(s), new byte[0]);
            }
            for (String s : sub) {
                c.subscribe(s).unsubscribe();
            }
            for (String s : pubCandidates) {
                if (!covered(pub, s)) {
                    c.publish(s, new byte[0]);
                    refused.add("Permissions Violation for Publish to \"" + s + "\"");
                }
            }
            for (String s : subCandidates) {
                if (!covered(sub, s)) {
                    c.subscribe(s);
                    refused.add("Permissions Violation for Subscription to \"" + s + "\"");
                }
            }
            c.flush(Duration.ofSeconds(10));
            expected.put(identity, refused);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!expected.entrySet().stream().allMatch(e -> refusals.get(e.getKey()).size() >= e.getValue().size())
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(200); // anything unexpected still on its way
        for (var e : expected.entrySet()) {
            assertEquals(e.getValue(), new TreeSet<>(refusals.get(e.getKey())), e.getKey()
                    + ": the server must refuse exactly the subjects its rules do not cover");
            assertTrue(e.getValue().size() > 10, e.getKey() + " is refused something");
        }
    }

    /** Issue 16, spelled out: what a plain client could do on the dev bus, now tried with the gateway's own key. */
    @Test
    void theGatewayCannotForgeEventsSignaturesOrReadSecrets() {
        List<String> gatewayPub = table.get("gateway-service").get("pub");
        List<String> gatewaySub = table.get("gateway-service").get("sub");
        for (String s : List.of(ns + ".evt.s1", ns + ".auth.sign.roll", ns + ".auth.admin.rotate", ns + ".db.events.list",
                "$KV." + ns + "-sessions.s1", "$KV." + ns + "-directory.WOLF-1234",
                "$JS.API.DIRECT.GET.KV_" + ns + "-authkeys", "$JS.API.STREAM.MSG.GET.KV_" + ns + "-refresh",
                "$JS.API.CONSUMER.CREATE." + upper() + "_EVENTS", "$JS.API.STREAM.PURGE." + upper() + "_EVENTS",
                "$JS.API.STREAM.DELETE.KV_" + ns + "-sessions")) {
            assertTrue(!covered(gatewayPub, s), "gateway may publish " + s);
        }
        for (String s : List.of(ns + ".evt.s1", "_INBOX." + ns + ".auth-service.x", ns + ".auth.guest", ">")) {
            assertTrue(!covered(gatewaySub, s), "gateway may subscribe " + s);
        }
        // Only game instances write events and session records; only auth-service reads its keys and tokens.
        table.forEach((identity, p) -> {
            boolean game = identity.equals("game-instance-service");
            assertEquals(game, covered(p.get("pub"), ns + ".evt.s1"), identity + " publishes events");
            assertEquals(game, covered(p.get("pub"), "$KV." + ns + "-sessions.s1"), identity + " writes session records");
            boolean auth = identity.equals("auth-service");
            boolean operator = identity.equals("operator");
            assertEquals(auth || operator, covered(p.get("pub"), "$JS.API.DIRECT.GET.KV_" + ns + "-authkeys.$KV." + ns + "-authkeys.ring"),
                    identity + " reads the key ring");
            assertEquals(auth || operator, covered(p.get("pub"), "$JS.API.STREAM.MSG.GET.KV_" + ns + "-refresh"),
                    identity + " reads refresh tokens");
            assertEquals(identity.equals("persistence-service"), covered(p.get("pub"), ns + ".auth.sign.roll"),
                    identity + " may have a roll signed");
            assertEquals(operator, covered(p.get("pub"), ns + ".auth.admin.rotate"), identity + " may rotate keys");
        });
    }

    /** A responder (reply in the table) answers the requests it receives; the gateway, which is none, cannot. */
    @Test
    void onlyRespondersMayAnswerARequest() throws Exception {
        try (Connection driver = TestNats.connect()) {
            Connection game = connections.get("game-instance-service");
            game.createDispatcher(m -> game.publish(m.getReplyTo(), "games".getBytes())).subscribe(ns + ".game.games");
            game.flush(Duration.ofSeconds(10));
            assertEquals("games", new String(driver.request(ns + ".game.games", new byte[0], Duration.ofSeconds(10)).getData()));

            Connection gateway = connections.get("gateway-service");
            String reply = driver.createInbox();
            gateway.createDispatcher(m -> gateway.publish(m.getReplyTo(), "answer".getBytes())).subscribe(ns + ".out.s9.all");
            gateway.flush(Duration.ofSeconds(10));
            driver.publish(ns + ".out.s9.all", reply, new byte[0]);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String violation = "Permissions Violation for Publish to \"" + reply + "\"";
            while (!refusals.get("gateway-service").contains(violation) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(refusals.get("gateway-service").remove(violation), "the gateway answered a request");
        }
    }

    @Test
    void aClientWithoutCredentialsIsRefused() {
        Options anonymous = Options.builder().server(TestNats.url())
                .sslContext(NatsSettings.sslContext(TestNats.caFile()))
                // jnats reports the refusal when the connect times out: long enough for TLS on a busy machine.
                .connectionTimeout(Duration.ofSeconds(5)).noReconnect().build();
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> Nats.connect(anonymous));
        assertTrue(e.getMessage().contains("Authorization Violation"), e.getMessage());
    }

    @Test
    void aClientWithAKeyTheTableDoesNotKnowIsRefused() throws Exception {
        String stranger = new String(io.nats.client.NKey.createUser(null).getSeed());
        Options options = Options.builder().server(TestNats.url())
                .sslContext(NatsSettings.sslContext(TestNats.caFile()))
                .authHandler(NkeyAuth.ofSeed(stranger))
                .connectionTimeout(Duration.ofSeconds(5)).noReconnect().build();
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> Nats.connect(options));
        assertTrue(e.getMessage().contains("Authorization Violation"), e.getMessage());
    }

    @Test
    void aClientWithoutTlsIsRefused() {
        String plain = TestNats.url().replace("tls://", "nats://");
        Options options = Options.builder().server(plain)
                .authHandler(NkeyAuth.fromFile(TestNats.seedFile("gateway-service")))
                .connectionTimeout(Duration.ofSeconds(15)).noReconnect().build();
        IOException e = assertThrows(IOException.class, () -> Nats.connect(options));
        assertTrue(String.valueOf(e.getMessage()).contains("Unable to connect"), String.valueOf(e.getMessage()));
    }

    /** A service checks the server against the bus CA: a TLS server it cannot verify gets nothing, not even the nonce's signature. */
    @Test
    void aServiceDoesNotTalkToAServerItsCaDidNotSign() {
        Options.Builder options = Options.builder().server(TestNats.url())
                .authHandler(NkeyAuth.fromFile(TestNats.seedFile("gateway-service")))
                .connectionTimeout(Duration.ofSeconds(15)).noReconnect();
        try {
            options.secure(); // the JVM's public CAs, which never signed the bus's certificate
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        assertThrows(IOException.class, () -> Nats.connect(options.build()));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** What issue 16's attacker tried, and the like, beyond the table's own subjects. */
    private static List<String> attacksToPublish() {
        return List.of(ns + ".evt.s1", ns + ".out.s1.all", ns + ".out.s1.p.dm", ns + ".auth.sign.roll",
                ns + ".auth.admin.rotate", ns + ".db.events.list", ns + ".db.saves.delete",
                "$KV." + ns + "-authkeys.ring", "$KV." + ns + "-refresh.f.x", "$KV." + ns + "-sessions.s1",
                "$JS.API.STREAM.NAMES", "$JS.API.STREAM.LIST", "$JS.API.INFO",
                "$JS.API.STREAM.DELETE." + upper() + "_EVENTS", "$JS.API.STREAM.PURGE." + upper() + "_EVENTS",
                "$JS.API.STREAM.MSG.DELETE." + upper() + "_EVENTS", "$JS.API.STREAM.DELETE.KV_" + ns + "-authkeys",
                "_INBOX." + ns + ".auth-service.forged.1", "_INBOX.x");
    }

    private static List<String> attacksToSubscribe() {
        return List.of(">", ns + ".>", "_INBOX.>", ns + ".evt.>", ns + ".out.s1.p.dm", "$JS.API.>", "$KV.>",
                ns + ".auth.>", ns + ".db.>");
    }

    private static String upper() {
        return ns.toUpperCase(java.util.Locale.ROOT);
    }

    /** A subject a pattern matches: wildcards become plain tokens. */
    private static String concrete(String pattern) {
        List<String> out = new ArrayList<>();
        for (String t : pattern.split("\\.")) {
            out.add(t.equals("*") ? "x1" : t.equals(">") ? "x2.x3" : t);
        }
        return String.join(".", out);
    }

    /** Whether one of {@code patterns} matches {@code subject} (NATS: * one token, > one or more). */
    static boolean covered(List<String> patterns, String subject) {
        String[] s = subject.split("\\.");
        for (String pattern : patterns) {
            String[] p = pattern.split("\\.");
            int i = 0;
            boolean match = true;
            for (; i < p.length; i++) {
                if (p[i].equals(">")) {
                    match = s.length > i;
                    i = -1;
                    break;
                }
                if (i >= s.length || !(p[i].equals("*") || p[i].equals(s[i]))) {
                    match = false;
                    break;
                }
            }
            if (i != -1 && match) {
                match = s.length == p.length;
            }
            if (match) {
                return true;
            }
        }
        return false;
    }
}
