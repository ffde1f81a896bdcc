package dev.runeforge.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
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
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket upgrade without a valid token is answered 401 before any handshake: the raw HTTP status line is
 * read off the socket, so "refused" cannot mean "upgraded, then closed".
 */
class UpgradeRefusalIT {
    private static Platform platform;
    private static String realToken;
    private static String realKid;

    @BeforeAll
    static void start() throws Exception {
        platform = new Platform();
        String cookie = platform.guest("Mallory");
        realToken = cookie.substring(cookie.indexOf('=') + 1);
        try (Connection nc = Nats.connect(TestNats.url())) {
            @SuppressWarnings("unchecked")
            var json = Rpc.request(nc, new Subjects(platform.namespace).authJwks(), java.util.Map.of(),
                    java.util.Map.class, java.time.Duration.ofSeconds(3));
            realKid = JWKSet.parse(json).getKeys().getFirst().getKeyID();
        }
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    /** Sends a WebSocket upgrade request and returns the HTTP status code of the answer. */
    private static int upgrade(String cookie, String origin) throws Exception {
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
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    private static JWTClaimsSet claims(String issuer, String audience, Date exp) {
        return new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject("g-victim")
                .claim("name", "Victim").claim("roles", List.of("guest"))
                .issueTime(new Date()).expirationTime(exp).build();
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
    void noTokenIsRefused() throws Exception {
        assertEquals(401, upgrade(null, null));
    }

    @Test
    void garbageIsRefused() throws Exception {
        assertEquals(401, upgrade("not-a-jwt", null));
        assertEquals(401, upgrade("a".repeat(8_000), null));
        // Past the server's header limit the request is refused as malformed, still before any upgrade.
        int huge = upgrade("a".repeat(64 * 1024), null);
        assertTrue(huge == 400 || huge == 431, "status " + huge);
    }

    @Test
    void unsignedTokenIsRefused() throws Exception {
        String none = new PlainJWT(claims("rune-forge", "rune-forge", inAnHour())).serialize();
        assertEquals(401, upgrade(none, null));
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
    void hmacWithThePublicKeyIsRefused() throws Exception {
        byte[] secret = realKid.repeat(4).getBytes(StandardCharsets.UTF_8);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(realKid).build(),
                claims("rune-forge", "rune-forge", inAnHour()));
        jwt.sign(new MACSigner(secret));
        assertEquals(401, upgrade(jwt.serialize(), null));
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
