package dev.runeforge.auth.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.nimbusds.jose.jwk.JWK;
import org.junit.jupiter.api.Test;

class KeyStateTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration RETENTION = Duration.ofHours(8);

    private static List<String> published(KeyState s, Instant at) {
        return s.publicJwks(at).getKeys().stream().map(JWK::getKeyID).toList();
    }

    @Test
    void theNextKeyIsPublishedBeforeItSignsAndBecomesCurrentOnRotation() {
        KeyState s = KeyState.fresh(T0);
        assertTrue(published(s, T0).contains(s.next().kid()));
        KeyState r = s.rotate(T0.plusSeconds(60), RETENTION);
        assertEquals(s.next().kid(), r.current().kid());
        assertEquals(T0.plusSeconds(60), r.current().activatedAt());
    }

    @Test
    void aRetiredKeyStaysPublishedUntilItsTokensHaveExpired() {
        KeyState s = KeyState.fresh(T0);
        String old = s.current().kid();
        KeyState r = s.rotate(T0, RETENTION);
        assertTrue(published(r, T0.plus(RETENTION).minusSeconds(1)).contains(old));
        assertFalse(published(r, T0.plus(RETENTION)).contains(old));
    }

    @Test
    void twoQuickRotationsKeepBothOlderKeysPublished() {
        KeyState s = KeyState.fresh(T0);
        KeyState r1 = s.rotate(T0, RETENTION);
        KeyState r2 = r1.rotate(T0.plusSeconds(10), RETENTION);
        List<String> kids = published(r2, T0.plusSeconds(20));
        assertTrue(kids.containsAll(List.of(s.current().kid(), r1.current().kid(), r2.current().kid(), r2.next().kid())));
        KeyState r3 = r2.rotate(T0.plus(RETENTION).plusSeconds(5), RETENTION);
        List<String> retired = r3.retired().stream().map(KeyState.Key::kid).toList();
        assertEquals(List.of(r2.current().kid(), r1.current().kid()), retired,
                "the first key, past its time, is dropped at the next rotation");
    }

    @Test
    void rotationIsDueAfterTheConfiguredPeriod() {
        KeyState s = KeyState.fresh(T0);
        assertFalse(s.rotationDue(T0.plus(Duration.ofDays(30)).minusSeconds(1), Duration.ofDays(30)));
        assertTrue(s.rotationDue(T0.plus(Duration.ofDays(30)), Duration.ofDays(30)));
    }

    @Test
    void theJwksNeverHoldsAPrivatePartAndKeysNeverPrintOne() {
        KeyState s = KeyState.fresh(T0).rotate(T0, RETENTION);
        assertTrue(s.publicJwks(T0).getKeys().stream().noneMatch(JWK::isPrivate));
        String d = s.current().jwk().getD().toString();
        assertFalse(s.toString().contains(d));
    }
}
