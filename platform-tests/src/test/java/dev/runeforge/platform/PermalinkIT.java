package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.permalink.Canonical;
import dev.runeforge.testsupport.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Roll permalinks through the whole platform on real NATS and PostgreSQL: a roll made over the WebSocket is
 * projected by persistence-service, served by the gateway with a detached JWS, and verifies with a standard JOSE
 * library (Nimbus) against the published JWKS and in a fresh headless Chromium (e2e/permalink.test.mjs).
 */
class PermalinkIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static Platform platform;

    @BeforeAll
    static void start() throws Exception {
        platform = new Platform();
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    /** Creates a room; returns its session id. */
    static String room(WsClient ws, String mode) throws Exception {
        ws.send(Map.of("type", "create", "id", id(), "game", "dice", "settings", Map.of("mode", mode)));
        return ws.awaitType("joined", WAIT).path("session").asText();
    }

    /** Rolls and returns the roll as the roller saw it in the {@code rolled} event. */
    static JsonNode roll(WsClient ws, String session, Map<String, Object> body) throws Exception {
        String action = id();
        ws.send(Map.of("type", "action", "id", action, "session", session, "body", body));
        return ws.await(m -> "rolled".equals(m.path("body").path("type").asText())
                && m.path("body").path("roll").path("action").asText().endsWith(":" + action), WAIT)
                .path("body").path("roll");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return platform.get(platform.http(path), null);
    }

    /** The projection is asynchronous: a permalink appears a moment after its roll. */
    static JsonNode awaitPermalink(Platform platform, String rollId, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        HttpResponse<String> last;
        do {
            last = platform.get(platform.http("/api/permalink/" + rollId), null);
            if (last.statusCode() == 200) {
                return Json.read(last.body(), JsonNode.class);
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return fail("no permalink for " + rollId + " within " + within + ": " + last.statusCode() + " " + last.body());
    }

    private static JWKSet jwks() throws Exception {
        HttpResponse<String> res = get("/.well-known/jwks.json");
        assertEquals(200, res.statusCode());
        assertEquals("*", res.headers().firstValue("Access-Control-Allow-Origin").orElse(""), "any site may verify");
        return JWKSet.parse(res.body());
    }

    private static boolean verifies(String jws, byte[] payload, ECKey key) throws Exception {
        return JWSObject.parse(jws, new Payload(payload)).verify(new ECDSAVerifier(key));
    }

    @Test
    void aPermalinksJwsVerifiesWithNimbusAgainstTheJwksAndFailsWithOneByteOfTheRollChanged() throws Exception {
        try (WsClient ada = platform.player("Ada")) {
            String session = room(ada, "open");
            String code = ada.frames().stream().filter(f -> f.contains("\"joined\"")).findFirst()
                    .map(f -> Json.read(f, JsonNode.class).path("code").asText()).orElseThrow();
            JsonNode rolled = roll(ada, session, Map.of("type", "roll", "formula", "4d6kh3+2"));
            String rollId = rolled.path("id").asText();

            JsonNode permalink = awaitPermalink(platform, rollId, WAIT);
            JsonNode roll = permalink.path("roll");
            assertEquals(rollId, permalink.path("id").asText());
            assertEquals("Ada", roll.path("name").asText());
            assertEquals("4d6kh3+2", roll.path("formula").asText());
            assertEquals(rolled.path("total").asInt(), roll.path("total").asInt());
            assertEquals(rolled.path("terms").get(0).path("dice"), roll.path("terms").get(0).path("dice"));
            assertEquals(rolled.path("at").asLong(), roll.path("rolledAt").asLong());
            assertFalse(permalink.toString().contains(code), "the room code is anonymized");
            assertFalse(permalink.toString().contains(session), "so is the session");

            // The bytes are rebuilt from the roll as served, not taken from the server's "canonical".
            byte[] canonical = Canonical.bytes(roll);
            assertArrayEquals(permalink.path("canonical").asText().getBytes(StandardCharsets.UTF_8), canonical);
            String jws = permalink.path("jws").asText();
            JWSObject parsed = JWSObject.parse(jws, new Payload(canonical));
            assertEquals(JWSAlgorithm.ES256, parsed.getHeader().getAlgorithm());
            assertEquals(permalink.path("kid").asText(), parsed.getHeader().getKeyID());
            ECKey key = (ECKey) jwks().getKeyByKeyId(parsed.getHeader().getKeyID());
            assertFalse(key.isPrivate(), "the JWKS holds public keys only");
            assertTrue(verifies(jws, canonical, key), "the permalink verifies against the JWKS");

            for (int i = 0; i < canonical.length; i += Math.max(1, canonical.length / 16)) {
                byte[] tampered = canonical.clone();
                tampered[i] ^= 0x01;
                assertFalse(verifies(jws, tampered, key), "one byte changed at " + i + " must fail");
            }
            ObjectNode higher = roll.deepCopy();
            higher.put("total", roll.path("total").asInt() + 1);
            assertFalse(verifies(jws, Canonical.bytes(higher), key), "a total one higher must fail");
        }
    }

    @Test
    void aHiddenRollGetsItsPermalinkOnlyOnceRevealed() throws Exception {
        try (WsClient dm = platform.player("Dora")) {
            String session = room(dm, "dm-led");
            String hidden = roll(dm, session, Map.of("type", "roll", "formula", "1d20", "hidden", true)).path("id").asText();
            // The projection keeps the log's order: once a later roll has its permalink, the hidden one was seen.
            String later = roll(dm, session, Map.of("type", "roll", "formula", "1d6")).path("id").asText();
            awaitPermalink(platform, later, WAIT);
            HttpResponse<String> before = get("/api/permalink/" + hidden);
            assertEquals(404, before.statusCode());
            assertEquals("PERMALINK_NOT_FOUND", Json.read(before.body(), JsonNode.class).path("code").asText());

            dm.send(Map.of("type", "action", "id", id(), "session", session, "body", Map.of("type", "reveal", "roll", hidden)));
            JsonNode after = awaitPermalink(platform, hidden, WAIT);
            assertTrue(after.path("roll").path("hidden").asBoolean());
            assertTrue(after.path("roll").path("revealedAt").asLong() >= after.path("roll").path("rolledAt").asLong());
            ECKey key = (ECKey) jwks().getKeyByKeyId(after.path("kid").asText());
            assertTrue(verifies(after.path("jws").asText(), Canonical.bytes(after.path("roll")), key));
        }
    }

    /** The content of {@code <meta property|name="key" content="…">} in {@code html}, or null. */
    private static String meta(String html, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<meta (?:property|name)=\"" + java.util.regex.Pattern.quote(key)
                + "\" content=\"([^\"]*)\">").matcher(html);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void aRollsPageCarriesItsOwnLinkPreviewTagsWithLabelAndAdvantageInWords() throws Exception {
        try (WsClient ana = platform.player("Ana-Maria")) {
            String session = room(ana, "open");
            JsonNode rolled = roll(ana, session, Map.of("type", "roll", "formula", "1d20+5", "advantage", "advantage",
                    "label", "Stealth <check> & \"more\""));
            assertEquals("1d20+5", rolled.path("formula").asText(), "the player's intent, not 2d20kh1+5");
            assertEquals("2d20kh1", rolled.path("terms").get(0).path("notation").asText());
            String rollId = rolled.path("id").asText();
            JsonNode permalink = awaitPermalink(platform, rollId, WAIT);
            assertEquals("advantage", permalink.path("roll").path("advantage").asText());
            assertEquals("Stealth <check> & \"more\"", permalink.path("roll").path("label").asText());
            ECKey key = (ECKey) jwks().getKeyByKeyId(permalink.path("kid").asText());
            assertTrue(verifies(permalink.path("jws").asText(), Canonical.bytes(permalink.path("roll")), key),
                    "label and advantage are signed too");

            HttpResponse<String> page = get("/roll/" + rollId);
            assertEquals(200, page.statusCode());
            int total = rolled.path("total").asInt();
            assertEquals("Ana-Maria rolled " + total + " for Stealth &lt;check&gt; &amp; &quot;more&quot;",
                    meta(page.body(), "og:title"));
            String description = meta(page.body(), "og:description");
            assertTrue(description.startsWith("Stealth &lt;check&gt; &amp; &quot;more&quot;: 1d20+5 with advantage = "
                    + total + "."), description);
            assertEquals(meta(page.body(), "og:title"), meta(page.body(), "twitter:title"));
            assertFalse(page.body().contains("<check>"), "free text never becomes markup");
        }
    }

    @Test
    void rollsToTheDmOrToOneselfNeverHaveAPermalink() throws Exception {
        try (WsClient dm = platform.player("Dora"); WsClient bob = platform.player("O'Neil")) {
            dm.send(Map.of("type", "create", "id", id(), "game", "dice", "settings", Map.of("mode", "dm-led")));
            JsonNode joined = dm.awaitType("joined", WAIT);
            String session = joined.path("session").asText();
            bob.send(Map.of("type", "join", "id", id(), "code", joined.path("code").asText()));
            bob.awaitType("joined", WAIT);
            String toDm = roll(bob, session, Map.of("type", "roll", "formula", "1d20", "mode", "dm")).path("id").asText();
            String self = roll(bob, session, Map.of("type", "roll", "formula", "1d20", "mode", "self")).path("id").asText();
            // The projection keeps the log's order: once a later roll has its permalink, the others were seen.
            String later = roll(bob, session, Map.of("type", "roll", "formula", "1d6")).path("id").asText();
            awaitPermalink(platform, later, WAIT);
            for (String id : List.of(toDm, self)) {
                assertEquals(404, get("/api/permalink/" + id).statusCode());
                HttpResponse<String> page = get("/roll/" + id);
                assertEquals(404, page.statusCode());
                assertEquals("Roll not found", meta(page.body(), "og:title"));
            }
            dm.send(Map.of("type", "action", "id", id(), "session", session, "body", Map.of("type", "reveal", "roll", toDm)));
            assertEquals("ROLL_NOT_HIDDEN", dm.awaitType("error", WAIT).path("code").asText(),
                    "a roll to the DM is never made public");
        }
    }

    @Test
    void junkIdsAreRefusedAndUnknownIdsAreNotFoundWithAClearMessage() throws Exception {
        HttpResponse<String> junk = get("/api/permalink/%3Cscript%3E");
        assertEquals(400, junk.statusCode());
        JsonNode junkBody = Json.read(junk.body(), JsonNode.class);
        assertEquals("INVALID_PERMALINK", junkBody.path("code").asText());
        assertTrue(junkBody.path("message").asText().contains("16 characters"));

        HttpResponse<String> unknown = get("/api/permalink/AAAAAAAAAAAAAAAA");
        assertEquals(404, unknown.statusCode());
        JsonNode unknownBody = Json.read(unknown.body(), JsonNode.class);
        assertEquals("PERMALINK_NOT_FOUND", unknownBody.path("code").asText());
        assertTrue(unknownBody.path("message").asText().contains("30 days"), unknownBody.toString());

        HttpResponse<String> page = get("/roll/AAAAAAAAAAAAAAAA");
        assertEquals(404, page.statusCode());
        assertTrue(page.body().contains("data-testid=\"verify-status\""), "the page explains the 404 itself");
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        assertEquals(400, get("/roll/not-a-roll").statusCode());
        assertEquals(200, get("/roll.js").statusCode());
    }

    @Test
    void oneAddressReadsOnlySoManyPermalinks() throws Exception {
        try (Platform limited = new Platform(Map.of("gateway.permalinks.burst", "2",
                "gateway.permalinks.per.minute", "1"))) {
            String unknown = "/api/permalink/AAAAAAAAAAAAAAAA";
            assertEquals(404, limited.get(limited.http(unknown), null).statusCode());
            assertEquals(404, limited.get(limited.http("/roll/AAAAAAAAAAAAAAAA"), null).statusCode());
            HttpResponse<String> refused = limited.get(limited.http(unknown), null);
            assertEquals(429, refused.statusCode(), refused.body());
            assertEquals("RATE_LIMITED", Json.tree(refused.body().getBytes(StandardCharsets.UTF_8)).path("code").asText());
            assertEquals("60", refused.headers().firstValue("Retry-After").orElseThrow());
            // The JWKS is not limited: verifiers fetch it freely (and it is cached).
            assertEquals(200, limited.get(limited.http("/.well-known/jwks.json"), null).statusCode());
        }
    }

    @Test
    void aFreshBrowserOpensAPermalinkAndSeesVerified() throws Exception {
        BrowserTests.chromium();
        String rollId;
        int total;
        // Beyond ASCII (and beyond the BMP): the browser's canonical bytes must match Java's for any name.
        String name = "Zo\u00eb \uD835\uDD04da";
        try (WsClient ada = platform.player(name)) {
            String session = room(ada, "open");
            JsonNode rolled = roll(ada, session, Map.of("type", "roll", "formula", "4d6kh3+1d8+2"));
            rollId = rolled.path("id").asText();
            total = rolled.path("total").asInt();
            awaitPermalink(platform, rollId, WAIT);
        }
        BrowserTests.run(platform, List.of("permalink.test.mjs"), Map.of(
                "RF_ROLL_ID", rollId,
                "RF_ROLL_TOTAL", Integer.toString(total),
                "RF_ROLL_NAME", name), Duration.ofMinutes(2));
    }
}
