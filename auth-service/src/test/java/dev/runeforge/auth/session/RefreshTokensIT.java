package dev.runeforge.auth.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.testsupport.ManualClock;
import dev.runeforge.testsupport.TestBus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Refresh token families over a real JetStream KV: rotation, reuse detection, logout, expiry. */
class RefreshTokensIT {
    private static final RefreshTokens.Owner ADA = new RefreshTokens.Owner("g-ada", "Ada", List.of("guest"));

    @RegisterExtension
    final TestBus bus = new TestBus();
    private ManualClock clock;
    private RefreshTokens tokens;

    @BeforeEach
    void open() throws Exception {
        clock = new ManualClock(Instant.parse("2026-06-01T12:00:00Z"));
        tokens = new RefreshTokens(bus.nc(), bus.namespace() + "-refresh", 1, clock, Duration.ofDays(14),
                Duration.ofDays(90), Duration.ofSeconds(10));
    }

    private void assertRefused(String token) {
        RpcException e = assertThrows(RpcException.class, () -> tokens.rotate(token));
        assertEquals(ErrorCodes.UNAUTHORIZED, e.code());
    }

    @Test
    void everyRefreshReplacesTheTokenAndKeepsTheOwner() {
        var first = tokens.start(ADA);
        var second = tokens.rotate(first.token());
        assertEquals(ADA, second.owner());
        assertNotEquals(first.token(), second.grant().token());
        var third = tokens.rotate(second.grant().token());
        assertEquals(ADA, third.owner());
    }

    @Test
    void reusingARotatedOutTokenRevokesTheWholeFamily() {
        var first = tokens.start(ADA);
        var second = tokens.rotate(first.token());
        var third = tokens.rotate(second.grant().token());
        // A thief replays the first token: refused, and the family is revoked...
        assertRefused(first.token());
        assertEquals(1, tokens.reuses());
        // ...so the newest token, which the real owner holds, fails too.
        assertRefused(third.grant().token());
        // Other sign-ins are untouched.
        var other = tokens.start(ADA);
        assertEquals(ADA, tokens.rotate(other.token()).owner());
    }

    @Test
    void twoTabsRefreshingAtOnceAreNotATheftButALaterReplayIs() {
        var first = tokens.start(ADA);
        var tabA = tokens.rotate(first.token());
        // Tab B sent the same cookie a moment later: honoured, and the family lives on with B's token.
        clock.advance(Duration.ofSeconds(2));
        var tabB = tokens.rotate(first.token());
        assertEquals(ADA, tabB.owner());
        assertEquals(0, tokens.reuses());
        var next = tokens.rotate(tabB.grant().token());
        // The window does not move: past it, the old token is reuse and revokes everything.
        clock.advance(Duration.ofSeconds(9));
        assertRefused(first.token());
        assertEquals(1, tokens.reuses());
        assertRefused(next.grant().token());
        assertRefused(tabA.grant().token());
    }

    @Test
    void withoutLeewayTheSecondOfTwoConcurrentRefreshesRevokes() throws Exception {
        var strict = new RefreshTokens(bus.nc(), bus.namespace() + "-refresh", 1, clock, Duration.ofDays(14),
                Duration.ofDays(90), Duration.ZERO);
        var first = strict.start(ADA);
        var second = strict.rotate(first.token());
        RpcException e = assertThrows(RpcException.class, () -> strict.rotate(first.token()));
        assertEquals(ErrorCodes.UNAUTHORIZED, e.code());
        assertThrows(RpcException.class, () -> strict.rotate(second.grant().token()));
    }

    @Test
    void logoutRevokesAndIsIdempotent() {
        var first = tokens.start(ADA);
        var second = tokens.rotate(first.token());
        tokens.logout(second.grant().token());
        assertRefused(second.grant().token());
        tokens.logout(second.grant().token());
        tokens.logout("not-a-token");
    }

    @Test
    void aTokenExpiresAfterItsTtlAndAFamilyAfterItsMaxLifetime() {
        var first = tokens.start(ADA);
        clock.advance(Duration.ofDays(14));
        assertRefused(first.token());

        var fresh = tokens.start(ADA);
        String current = fresh.token();
        for (int week = 0; week < 12; week++) {
            clock.advance(Duration.ofDays(7));
            current = tokens.rotate(current).grant().token();
        }
        // 84 days in: the last token may live only until day 90, not 14 days on.
        var last = tokens.rotate(current);
        assertEquals(fresh.expiresAt() - Duration.ofDays(14).toSeconds() + Duration.ofDays(90).toSeconds(), last.grant().expiresAt());
        clock.advance(Duration.ofDays(7));
        assertRefused(last.grant().token());
    }

    @Test
    void lookingUpTheOwnerSpendsNothingAndKnowsOnlyLiveCurrentTokens() {
        var first = tokens.start(ADA);
        assertEquals(java.util.Optional.of(ADA), tokens.owner(first.token()));
        var second = tokens.rotate(first.token());
        assertEquals(java.util.Optional.of(ADA), tokens.owner(second.grant().token()));
        assertTrue(tokens.owner(first.token()).isEmpty(), "a spent token names nobody");
        assertEquals(ADA, tokens.rotate(second.grant().token()).owner(), "the look-ups revoked nothing");
        assertTrue(tokens.owner("garbage").isEmpty());
    }

    @Test
    void garbageAndUnknownTokensAreRefused() {
        assertRefused(null);
        assertRefused("");
        assertRefused("x".repeat(43));
        assertRefused("a".repeat(5000));
    }

    @Test
    void theStoreHoldsHashesNotTokens() throws Exception {
        var grant = tokens.start(ADA);
        var kv = bus.nc().keyValue(bus.namespace() + "-refresh");
        for (String key : kv.keys()) {
            assertFalse(key.contains(grant.token()), key);
            String value = new String(kv.get(key).getValue(), StandardCharsets.UTF_8);
            assertFalse(value.contains(grant.token()), value);
        }
        assertTrue(kv.keys().contains("t." + RefreshTokens.hash(grant.token())));
    }
}
