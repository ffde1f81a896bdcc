package dev.runeforge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runeforge.auth.keys.KeyRotation;
import dev.runeforge.auth.keys.KeyStore;
import dev.runeforge.common.auth.GuestRequest;
import dev.runeforge.common.auth.IssuedToken;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.testsupport.TestBus;
import dev.runeforge.testsupport.TestNats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Signing keys survive restarts (sealed in JetStream KV), rotate on demand and on schedule, across replicas. */
class KeyRotationIT {
    static final String SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private static final Duration T = Duration.ofSeconds(3);

    @RegisterExtension
    final TestBus bus = new TestBus();

    private ServiceRuntime.Running auth(Map<String, String> extra) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of("bus.namespace", bus.namespace(),
                "admin.port", "0", "auth.keys.secret", SECRET));
        config.putAll(extra);
        return Main.start(ServiceConfig.load(TestNats.service(Main.SERVICE, config)));
    }

    private IssuedToken guest() {
        return Rpc.request(bus.nc(), bus.subjects().authGuest(), new GuestRequest("Ada"), IssuedToken.class, T);
    }

    @SuppressWarnings("unchecked")
    private JWKSet jwks() throws Exception {
        return JWKSet.parse(Rpc.request(bus.nc(), bus.subjects().authJwks(), Map.of(), Map.class, T));
    }

    private static String kid(IssuedToken t) {
        try {
            return SignedJWT.parse(t.token()).getHeader().getKeyID();
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    private boolean verifies(IssuedToken t) throws Exception {
        SignedJWT jwt = SignedJWT.parse(t.token());
        JWK key = jwks().getKeyByKeyId(jwt.getHeader().getKeyID());
        return key != null && jwt.verify(new ECDSAVerifier((ECKey) key));
    }

    @Test
    void tokensIssuedBeforeARestartStillVerifyAndTheSameKeySignsAfterIt() throws Exception {
        IssuedToken before;
        try (var a = auth(Map.of())) {
            before = guest();
        }
        try (var b = auth(Map.of())) {
            assertTrue(verifies(before));
            assertEquals(kid(before), kid(guest()));
        }
    }

    @Test
    void theStoreHoldsNoPrivateKeyInTheClearAndAWrongSecretRefusesToStart() throws Exception {
        try (var a = auth(Map.of())) {
            guest();
            byte[] stored = bus.nc().keyValue(KeyStore.bucket(bus.namespace())).get("ring").getValue();
            String text = new String(stored, StandardCharsets.UTF_8);
            assertFalse(text.contains("\"d\""), "no JWK private member in the clear");
            assertTrue(text.contains("sealed"));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> auth(Map.of("auth.keys.secret", "HyAeHRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgE=")));
        assertTrue(e.getMessage().contains("auth.keys.secret"), e.getMessage());
    }

    @Test
    void withoutASecretOutsideDevModeAuthRefusesToStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> auth(Map.of("auth.keys.secret", "")));
        assertTrue(e.getMessage().contains("auth.keys.secret is required"), e.getMessage());
        assertTrue(e.getMessage().contains("AUTH_KEYS_SECRET or AUTH_KEYS_SECRET_FILE"), e.getMessage());
        IllegalStateException notBase64 = assertThrows(IllegalStateException.class,
                () -> auth(Map.of("auth.keys.secret", "not base64!")));
        assertTrue(notBase64.getMessage().startsWith("auth.keys.secret (override)"), notBase64.getMessage());
    }

    @Test
    void onDemandRotationSignsWithTheNewKeyAndKeepsTheOldOnePublished() throws Exception {
        try (var a = auth(Map.of())) {
            IssuedToken before = guest();
            String published = jwks().getKeys().stream().map(JWK::getKeyID).filter(k -> !k.equals(kid(before)))
                    .findFirst().orElseThrow();
            KeyRotation.Rotated r = Rpc.request(bus.nc(), bus.subjects().authAdminRotate(), Map.of(),
                    KeyRotation.Rotated.class, T);
            assertEquals(published, r.current(), "the key published as next is the one that signs now");
            IssuedToken after = guest();
            assertEquals(r.current(), kid(after));
            assertNotEquals(kid(before), kid(after));
            assertTrue(verifies(before));
            assertTrue(verifies(after));
            assertTrue(r.published().containsAll(List.of(kid(before), kid(after), r.next())));
            assertTrue(jwks().getKeys().stream().noneMatch(JWK::isPrivate));
        }
    }

    @Test
    void aDeletedRingIsReplacedByAFreshOneOnTheNextRotation() throws Exception {
        try (var a = auth(Map.of())) {
            String before = kid(guest());
            bus.nc().keyValue(KeyStore.bucket(bus.namespace())).delete("ring");
            assertEquals(before, kid(guest()), "the running replica keeps signing with the key it holds");
            var r = Rpc.request(bus.nc(), bus.subjects().authAdminRotate(), Map.of(), KeyRotation.Rotated.class, T);
            assertNotEquals(before, r.current());
            assertEquals(r.current(), kid(guest()));
        }
    }

    @Test
    void aRotationOnOneReplicaReachesTheOther() throws Exception {
        try (var a = auth(Map.of()); var b = auth(Map.of())) {
            String before = kid(guest());
            var r = Rpc.request(bus.nc(), bus.subjects().authAdminRotate(), Map.of(), KeyRotation.Rotated.class, T);
            // Requests spread over both replicas: within a moment every token carries the new key.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            int inARow = 0;
            while (inARow < 10 && System.nanoTime() < deadline) {
                inARow = kid(guest()).equals(r.current()) ? inARow + 1 : 0;
            }
            assertEquals(10, inARow, "both replicas sign with the rotated key");
            assertNotEquals(before, r.current());
        }
    }

    @Test
    void scheduledRotationHappensOncePerPeriod() throws Exception {
        try (var a = auth(Map.of("auth.keys.rotate-every", "PT1S", "auth.keys.check-every", "PT0.2S"))) {
            String first = kid(guest());
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            String now = first;
            while (now.equals(first) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                now = kid(guest());
            }
            assertNotEquals(first, now);
            assertTrue(jwks().getKeys().stream().anyMatch(k -> k.getKeyID().equals(first)),
                    "the retired key is still published");
        }
    }
}
