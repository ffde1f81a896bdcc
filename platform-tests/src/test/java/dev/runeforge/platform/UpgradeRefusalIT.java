package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.runeforge.auth.keys.KeyStore;
import dev.runeforge.auth.keys.SecretBox;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.Connection;
import io.nats.client.Nats;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket upgrade without a valid token is answered 401 before any handshake: the raw HTTP status line is
 * read off the socket, so "refused" cannot mean "upgraded, then closed". The claim attacks are signed with the
 * platform's real signing key (read from auth-service's sealed store with the test secret), and a control token
 * made the same way is accepted: each refusal is the claim check's doing, not a bad signature's.
 */
class UpgradeRefusalIT {
    private static Platform platform;
    private static String realToken;
    private static String realKid;
    private static ECKey signingKey;
    private static MockOAuth2Server provider;

    @BeforeAll
    static void start() throws Exception {
        platform = new Platform();
        String cookie = platform.guest("Mallory");
        realToken = cookie.substring(cookie.indexOf('=') + 1);
        realKid = SignedJWT.parse(realToken).getHeader().getKeyID();
        try (Connection nc = TestNats.connect()) {
            signingKey = new KeyStore(nc, platform.namespace, SecretBox.fromBase64(Platform.KEY_SECRET), 1)
                    .read().state().current().jwk();
        }
        provider = new MockOAuth2Server();
        provider.start();
    }

    @AfterAll
    static void stop() {
        if (provider != null) {
            provider.shutdown();
        }
        if (platform != null) {
            platform.close();
        }
    }

    /** Sends a WebSocket upgrade request and returns the HTTP status code of the answer. */
    private static int upgrade(String cookie, String origin) throws Exception {
        Integer status = upgradeOrDropped(cookie, origin);
        if (status == null) {
            throw new AssertionError("the gateway dropped the connection without a status line");
        }
        return status;
    }

    /**
     * Like {@link #upgrade} but returns null when the server drops the connection before we read a status line.
     * The request is written on its own thread while this one reads: a server that refuses an oversized request
     * answers and closes while the client is still writing, which breaks the client's pipe (and, with unread data
     * in the server's buffer, may reset the connection before the answer is read).
     */
    private static Integer upgradeOrDropped(String cookie, String origin) throws Exception {
        try (Socket s = new Socket("127.0.0.1", platform.gateway.port())) {
            s.setSoTimeout(5000);
            StringBuilder req = new StringBuilder()
                    .append("GET /ws HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(platform.gateway.port()).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(new byte[16])).append("\r\n")
                    .append("Sec-WebSocket-Version: 13\r\n");
            if (cookie != null) {
                req.append("Cookie: rf_token=").append(cookie).append("\r\n");
            }
            if (origin != null) {
                req.append("Origin: ").append(origin).append("\r\n");
            }
            req.append("\r\n");
            byte[] bytes = req.toString().getBytes(StandardCharsets.US_ASCII);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(bytes);
                    out.flush();
                } catch (IOException refusedMidRequest) {
                    // the reader sees what the server answered, or that it dropped the connection
                }
            });
            try {
                String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                return status == null ? null : Integer.parseInt(status.split(" ")[1]);
            } catch (SocketException reset) {
                return null;
            } finally {
                writer.join(5000);
            }
        }
    }

    private static JWTClaimsSet claims(String issuer, String audience, Date exp) {
        return new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject("g-victim")
                .claim("name", "Victim").claim("roles", List.of("guest"))
                .issueTime(new Date()).expirationTime(exp).build();
    }

    private static JWTClaimsSet.Builder valid() {
        return new JWTClaimsSet.Builder(claims("rune-forge", "rune-forge", inAnHour())).notBeforeTime(new Date());
    }

    /** Signed with the platform's real key and kid. */
    private static String signed(JWTClaimsSet claims) throws Exception {
        return signed(claims, realKid, JOSEObjectType.JWT);
    }

    private static String signed(JWTClaimsSet claims, String kid, JOSEObjectType type) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).type(type).build(), claims);
        jwt.sign(new ECDSASigner(signingKey));
        return jwt.serialize();
    }

    private static Date minutesFromNow(int minutes) {
        return new Date(System.currentTimeMillis() + minutes * 60_000L);
    }

    private static Date inAnHour() {
        return new Date(System.currentTimeMillis() + 3_600_000);
    }

    @Test
    void aValidTokenIsUpgraded() throws Exception {
        assertEquals(101, upgrade(realToken, null));
        assertEquals(101, upgrade(realToken, "http://127.0.0.1:" + platform.gateway.port()));
    }

    @Test
    void aControlTokenSignedWithTheRealKeyIsUpgraded() throws Exception {
        assertEquals(signingKey.getKeyID(), realKid);
        assertEquals(101, upgrade(signed(valid().build()), null));
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        // Beyond the verifier's 60 s clock skew.
        assertEquals(401, upgrade(signed(valid().issueTime(minutesFromNow(-20)).expirationTime(minutesFromNow(-5)).build()), null));
    }

    @Test
    void aTokenNotYetValidIsRefused() throws Exception {
        assertEquals(401, upgrade(signed(valid().notBeforeTime(minutesFromNow(5)).build()), null));
    }

    @Test
    void aWrongOrMissingIssuerIsRefused() throws Exception {
        assertEquals(401, upgrade(signed(valid().issuer("https://evil.example").build()), null));
        assertEquals(401, upgrade(signed(valid().issuer(null).build()), null));
    }

    @Test
    void aWrongOrMissingAudienceIsRefused() throws Exception {
        assertEquals(401, upgrade(signed(valid().audience("another-app").build()), null));
        assertEquals(401, upgrade(signed(valid().audience((String) null).build()), null));
    }

    @Test
    void missingSubjectNameOrExpiryIsRefused() throws Exception {
        assertEquals(401, upgrade(signed(valid().subject(null).build()), null));
        assertEquals(401, upgrade(signed(valid().claim("name", null).build()), null));
        assertEquals(401, upgrade(signed(valid().expirationTime(null).build()), null));
    }

    @Test
    void theRealSignatureUnderAnUnknownKidIsRefused() throws Exception {
        assertEquals(401, upgrade(signed(valid().build(), "unknown-kid", JOSEObjectType.JWT), null));
        assertEquals(401, upgrade(signed(valid().build(), null, JOSEObjectType.JWT), null));
    }

    @Test
    void aRollSignatureTypeCannotPassForAnAccessToken() throws Exception {
        assertEquals(401, upgrade(signed(valid().build(), realKid, new JOSEObjectType("rf-roll")), null));
    }

    @Test
    void aTokenFromTheOidcProviderItselfIsRefused() throws Exception {
        String fromProvider = provider.issueToken("default", "g-victim", "rune-forge",
                java.util.Map.of("name", "Victim", "roles", List.of("guest"))).serialize();
        assertEquals(401, upgrade(fromProvider, null));
    }

    @Test
    void aLargeValidlySignedTokenIsRefused() throws Exception {
        // Under the server's header limit: refused by the verifier's size limit before any parsing.
        String big = signed(valid().claim("pad", "x".repeat(6 * 1024)).build());
        assertEquals(401, upgrade(big, null));
        // 64 KB, validly signed: the same 401 (headers up to 96 KiB reach the token check).
        String huge = signed(valid().claim("pad", "x".repeat(64 * 1024)).build());
        assertEquals(401, upgrade(huge, null));
    }

    @Test
    void noTokenIsRefused() throws Exception {
        assertEquals(401, upgrade(null, null));
    }

    @Test
    void garbageIsRefused() throws Exception {
        assertEquals(401, upgrade("not-a-jwt", null));
        assertEquals(401, upgrade("a".repeat(8_000), null));
        assertEquals(401, upgrade("a".repeat(64 * 1024), null));
        // Past the server's header limit (96 KiB) the request is refused as malformed, still before any upgrade.
        // The server may answer and close while the request is still arriving, so a dropped connection counts
        // too; what must never come back is 101.
        Integer oversized = upgradeOrDropped("a".repeat(128 * 1024), null);
        assertTrue(oversized == null || oversized == 400 || oversized == 431, "status " + oversized);
    }

    @Test
    void unsignedTokenIsRefused() throws Exception {
        String none = new PlainJWT(claims("rune-forge", "rune-forge", inAnHour())).serialize();
        assertEquals(401, upgrade(none, null));
        // alg none with the real kid, and alg none keeping the real token's signature part.
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + realKid + "\"}").getBytes(StandardCharsets.UTF_8));
        String[] parts = realToken.split("\\.");
        assertEquals(401, upgrade(header + "." + parts[1] + ".", null));
        assertEquals(401, upgrade(header + "." + parts[1] + "." + parts[2], null));
    }

    @Test
    void tokenSignedWithAnotherKeyIsRefused() throws Exception {
        ECKey foreign = new ECKeyGenerator(Curve.P_256).keyID("foreign").generate();
        ECKey sameKid = new ECKeyGenerator(Curve.P_256).keyID(realKid).generate();
        for (ECKey key : List.of(foreign, sameKid)) {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims("rune-forge", "rune-forge", inAnHour()));
            jwt.sign(new ECDSASigner(key));
            assertEquals(401, upgrade(jwt.serialize(), null), "key " + key.getKeyID());
        }
    }

    @Test
    void hmacWithThePublicKeyAsSecretIsRefused() throws Exception {
        // The classic algorithm confusion: HS256 keyed with the public key in each form a verifier might hold.
        ECKey pub = signingKey.toPublicJWK();
        byte[] der = pub.toECPublicKey().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
        List<byte[]> secrets = List.of(der, pem.getBytes(StandardCharsets.US_ASCII),
                pub.toJSONString().getBytes(StandardCharsets.UTF_8), new JWKSet(pub).toString().getBytes(StandardCharsets.UTF_8));
        for (byte[] secret : secrets) {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(realKid).type(JOSEObjectType.JWT).build(),
                    valid().build());
            jwt.sign(new MACSigner(secret));
            assertEquals(401, upgrade(jwt.serialize(), null));
        }
    }

    @Test
    void tamperedPayloadIsRefused() throws Exception {
        String[] parts = realToken.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("Mallory", "Admin00");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertEquals(401, upgrade(forged, null));
    }

    @Test
    void aForeignOriginIsRefusedEvenWithAToken() throws Exception {
        int status = upgrade(realToken, "https://evil.example");
        assertEquals(403, status);
    }

    @Test
    void refusalsAreCounted() throws Exception {
        upgrade(null, null);
        String metrics = platform.get(java.net.URI.create("http://127.0.0.1:" + platform.gateway.adminPort() + "/metrics"), null).body();
        assertTrue(metrics.contains("rf_gateway_upgrades_refused_total"), metrics);
    }
}
