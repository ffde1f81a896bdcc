package dev.runeforge.gateway.save;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.gateway.rest.FakeRequests;
import dev.runeforge.testsupport.ManualClock;
import org.junit.jupiter.api.Test;

class HostedGamesTest {
    private static final Subjects SUBJECTS = new Subjects("rf");

    @Test
    void theGamesComeFromTheGameInstancesAndAreKeptForAWhile() {
        AtomicReference<List<String>> hosted = new AtomicReference<>(List.of("dice", "tactics"));
        FakeRequests requests = new FakeRequests().on(SUBJECTS.gameList(), req -> Map.of("games", hosted.get()));
        ManualClock clock = new ManualClock(Instant.parse("2026-11-27T20:00:00Z"));
        HostedGames games = new HostedGames(requests, SUBJECTS, Duration.ofMinutes(1), clock);

        assertEquals(Set.of("dice", "tactics"), games.ids());
        hosted.set(List.of("dice", "tactics", "chess"));
        assertEquals(Set.of("dice", "tactics"), games.ids(), "kept for a minute");
        assertEquals(1, requests.sent.size());

        clock.advance(Duration.ofSeconds(61));
        assertEquals(Set.of("dice", "tactics", "chess"), games.ids(), "a newly registered game shows up");
        assertEquals(2, requests.sent.size());
    }

    @Test
    void withNoGameInstanceToAskItIsUnavailableAndNothingIsKept() {
        FakeRequests none = new FakeRequests();
        HostedGames games = new HostedGames(none, SUBJECTS, Duration.ofMinutes(1), new ManualClock(Instant.EPOCH));
        assertEquals("UNAVAILABLE", assertThrows(RpcException.class, games::ids).code());
        assertEquals("UNAVAILABLE", assertThrows(RpcException.class, games::ids).code(), "asked again, not cached");
    }
}
