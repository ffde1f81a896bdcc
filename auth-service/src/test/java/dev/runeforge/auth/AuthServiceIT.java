package dev.runeforge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runeforge.common.auth.GuestRequest;
import dev.runeforge.common.auth.IssuedToken;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.permalink.Permalink;
import dev.runeforge.common.permalink.PublicRoll;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** auth-service over a real NATS: guest tokens that verify against the published JWKS, and nothing secret in it. */
class AuthServiceIT {
    private static final Duration T = Duration.ofSeconds(3);
    private static String ns;
    private static Subjects subjects;
    private static ServiceRuntime.Running auth;
    private static Connection nc;

    @BeforeAll
    static void start() throws Exception {
        ns = TestNats.newNamespace();
        subjects = new Subjects(ns);
        auth = Main.start(ServiceConfig.load(TestNats.service(Main.SERVICE, Map.of("bus.namespace", ns, "admin.port", "0",
                "auth.keys.secret", KeyRotationIT.SECRET))));
        nc = TestNats.connect();
    }

    @AfterAll
    static void stop() throws Exception {
        nc.close();
        auth.close();
        TestNats.deleteNamespace(ns);
    }

    @SuppressWarnings("unchecked")
    private static JWKSet jwks() throws Exception {
        return JWKSet.parse(Rpc.request(nc, subjects.authJwks(), Map.of(), Map.class, T));
    }

    @Test
    void aGuestTokenVerifiesAgainstThePublishedKeys() throws Exception {
        IssuedToken token = Rpc.request(nc, subjects.authGuest(), new GuestRequest("  Ada  "), IssuedToken.class, T);
        assertEquals("Ada", token.name());
        assertTrue(token.player().startsWith("g-"));
        SignedJWT jwt = SignedJWT.parse(token.token());
        assertEquals(JWSAlgorithm.ES256, jwt.getHeader().getAlgorithm());
        ECKey key = (ECKey) jwks().getKeyByKeyId(jwt.getHeader().getKeyID());
        assertTrue(jwt.verify(new ECDSAVerifier(key)));
        var claims = jwt.getJWTClaimsSet();
        assertEquals(token.player(), claims.getSubject());
        assertEquals("rune-forge", claims.getIssuer());
        assertEquals(List.of("rune-forge"), claims.getAudience());
        assertEquals("Ada", claims.getStringClaim("name"));
        assertEquals(List.of("guest"), claims.getStringListClaim("roles"));
        assertEquals(token.expiresAt(), claims.getExpirationTime().toInstant().getEpochSecond());
        long ttl = token.expiresAt() - claims.getIssueTime().toInstant().getEpochSecond();
        assertEquals(Duration.ofMinutes(15).toSeconds(), ttl);
        assertTrue(token.refreshToken() != null && token.refreshToken().matches("[A-Za-z0-9_-]{43}"), "an opaque refresh token");
        assertTrue(token.refreshExpiresAt() > token.expiresAt());
        assertFalse(token.toString().contains(token.token()) || token.toString().contains(token.refreshToken()));
    }

    private static PublicRoll roll(int total) {
        return new PublicRoll(1, "AbCdEfGhIjKlMn_-", "room-digest", "Ada", "2d6+1",
                List.of(new PublicRoll.Term(1, 2, 6, "2d6", List.of(new PublicRoll.Die(3, true, false),
                        new PublicRoll.Die(4, true, false)), 7)), 1, total, null, null, false, 1_790_000_000_000L, null);
    }

    @Test
    void aRollSignatureIsADetachedJwsOverTheCanonicalRollThatBreaksWithOneByteChanged() throws Exception {
        Permalink.Signature sig = Rpc.request(nc, subjects.authSignRoll(), roll(8), Permalink.Signature.class, T);
        String[] parts = sig.jws().split("\\.", -1);
        assertEquals(3, parts.length);
        assertEquals("", parts[1], "the payload is detached");
        byte[] canonical = roll(8).canonical();
        JWSObject jws = JWSObject.parse(sig.jws(), new Payload(canonical));
        assertEquals(JWSAlgorithm.ES256, jws.getHeader().getAlgorithm());
        assertEquals("rf-roll", jws.getHeader().getType().getType());
        assertEquals(sig.kid(), jws.getHeader().getKeyID());
        ECKey key = (ECKey) jwks().getKeyByKeyId(sig.kid());
        assertTrue(jws.verify(new ECDSAVerifier(key)));

        byte[] tampered = canonical.clone();
        int at = new String(canonical, java.nio.charset.StandardCharsets.UTF_8).indexOf("\"total\":8") + 8;
        tampered[at] = (byte) '9';
        assertFalse(JWSObject.parse(sig.jws(), new Payload(tampered)).verify(new ECDSAVerifier(key)));
        assertFalse(JWSObject.parse(sig.jws(), new Payload(roll(9).canonical())).verify(new ECDSAVerifier(key)));
    }

    @Test
    void onlyValidRollsAreSigned() {
        RpcException e = assertThrows(RpcException.class, () -> Rpc.request(nc, subjects.authSignRoll(),
                Map.of("v", 1, "id", "not-a-roll"), Permalink.Signature.class, T));
        assertEquals(ErrorCodes.BAD_MESSAGE, e.code());
    }

    @Test
    void everyGuestIsSomeoneNew() throws Exception {
        var a = Rpc.request(nc, subjects.authGuest(), new GuestRequest("Ada"), IssuedToken.class, T);
        var b = Rpc.request(nc, subjects.authGuest(), new GuestRequest("Ada"), IssuedToken.class, T);
        assertNotEquals(a.player(), b.player());
    }

    @Test
    void theJwksHoldsNoPrivateKey() throws Exception {
        JWKSet set = jwks();
        assertEquals(2, set.getKeys().size(), "the current key and the next one");
        assertTrue(set.getKeys().stream().noneMatch(k -> k.isPrivate()));
        String raw = set.toString(false);
        assertTrue(!raw.contains("\"d\""), raw);
    }

    @Test
    void badNamesAndBadRequestsGetTypedErrors() {
        RpcException e = assertThrows(RpcException.class,
                () -> Rpc.request(nc, subjects.authGuest(), new GuestRequest("<b>hi</b>"), IssuedToken.class, T));
        assertEquals("INVALID_NAME", e.code());
        RpcException missing = assertThrows(RpcException.class,
                () -> Rpc.request(nc, subjects.authGuest(), Map.of(), IssuedToken.class, T));
        assertEquals("INVALID_NAME", missing.code());
        RpcException garbage = assertThrows(RpcException.class,
                () -> Rpc.request(nc, subjects.authGuest(), "not an object", IssuedToken.class, T));
        assertEquals("BAD_MESSAGE", garbage.code());
    }
}
