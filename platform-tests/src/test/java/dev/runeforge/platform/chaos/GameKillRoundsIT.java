package dev.runeforge.platform.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.runeforge.testsupport.TestNats;
import dev.runeforge.testsupport.TestPostgres;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.Test;

/**
 * Takeover without a hole (issue 15): the whole platform as separate JVMs, 3 game instances, {@code rf.chaos.rooms}
 * (100) dice rooms rolling over real WebSockets (one roll in flight per room, every {@code rf.chaos.pauseMs}
 * (450) ms), and {@code rf.chaos.rounds} (2 here; scripts/bench-chaos.sh does 20) rounds of: {@code kill -9} the
 * instance owning the most partitions, roll on for {@code rf.chaos.afterKillMs} (6 s; the bench: 10 s), start it again. Asserts
 * no hole on any live socket, no accepted roll lost, none applied twice; prints (never asserts) how long the
 * rolls in flight at each kill took to be answered after it, and the takeover times.
 */
class GameKillRoundsIT {
    static final int ROOMS = Integer.getInteger("rf.chaos.rooms", 100);
    static final int ROUNDS = Integer.getInteger("rf.chaos.rounds", 2);
    static final Duration PAUSE = Duration.ofMillis(Integer.getInteger("rf.chaos.pauseMs", 450));
    static final Duration AFTER_KILL = Duration.ofMillis(Integer.getInteger("rf.chaos.afterKillMs", 6_000));

    @Test
    void killingTheBusiestGameInstanceLeavesNoHoleLosesNothingAndDoublesNothing() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        ProcessPlatform.Options options = ProcessPlatform.Options.of(db.jdbcUrl(), 3).dbUser(db.user());
        String[] namespace = new String[1];
        try (ProcessPlatform platform = new ProcessPlatform(options);
             Connection nc = platform.connectBus()) {
            namespace[0] = platform.namespace;
            try {
                System.out.printf("[chaos] platform up (%d game instances), logs in %s; load %s%n", 3, platform.logDir(),
                        Load.now());
                platform.awaitAllOwned(nc, Duration.ofSeconds(60));
                try (RollingRooms rooms = RollingRooms.open(platform, ROOMS, PAUSE)) {
                    rooms.start();
                    Thread.sleep(3_000);
                    List<Long> inFlightAll = new ArrayList<>();
                    List<Long> takeoverAll = new ArrayList<>();
                    List<Long> windowAll = new ArrayList<>();
                    double lostBefore = platform.gameMetric("rf_game_partitions_lost_total");
                    for (int round = 1; round <= ROUNDS; round++) {
                        Map<Integer, String> owners = platform.leases(nc);
                        Map<String, Long> counts = owners.values().stream()
                                .collect(Collectors.groupingBy(o -> o, Collectors.counting()));
                        String busiest = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
                        ServiceProcess victim = platform.game(busiest);
                        Set<Integer> moved = owners.entrySet().stream().filter(e -> e.getValue().equals(busiest))
                                .map(Map.Entry::getKey).collect(Collectors.toSet());
                        long kill = System.nanoTime();
                        victim.kill9();
                        Thread.sleep(AFTER_KILL.toMillis());
                        List<Long> inFlight = rooms.answeredAfter(kill, r -> moved.contains(r.partition()));
                        List<Long> takeover = rooms.firstAcceptedAfter(kill, r -> moved.contains(r.partition()));
                        List<Long> window = rooms.sentBetween(kill, kill + 2_000_000_000L, r -> moved.contains(r.partition()));
                        inFlightAll.addAll(inFlight);
                        takeoverAll.addAll(takeover);
                        windowAll.addAll(window);
                        long restart = System.nanoTime();
                        victim.start();
                        long ready = victim.awaitReady(Duration.ofSeconds(60));
                        awaitBalanced(platform, nc, Duration.ofSeconds(30));
                        long balanced = (System.nanoTime() - restart) / 1_000_000;
                        System.out.printf("[chaos] round %d: kill -9 %s (%d of 64 partitions, %s); in flight at the kill, "
                                        + "answered after it: %s; moved rooms' rolls sent in the 2 s after it, answered in: %s; "
                                        + "takeover (first roll accepted, moved rooms): %s; "
                                        + "restarted: ready in %d ms, balanced %d ms after start; load %s%n",
                                round, busiest, moved.size(), counts, RollingRooms.distribution(inFlight),
                                RollingRooms.distribution(window),
                                RollingRooms.distribution(takeover), ready,
                                balanced, Load.now());
                        Thread.sleep(2_000);
                    }
                    rooms.stop(Duration.ofSeconds(30));
                    Thread.sleep(1_000);
                    RollingRooms.Verdict verdict = rooms.verify(nc, platform.subjects);
                    inFlightAll.sort(null);
                    takeoverAll.sort(null);
                    double lost = platform.gameMetric("rf_game_partitions_lost_total") - lostBefore;
                    System.out.printf("[chaos] %d kill rounds: in flight at a kill, answered after it: %s (%d over 2 s)%n",
                            ROUNDS, RollingRooms.distribution(inFlightAll), inFlightAll.stream().filter(v -> v > 2000).count());
                    windowAll.sort(null);
                    System.out.printf("[chaos] moved rooms' rolls sent in the 2 s after a kill, answered in: %s (%d over "
                            + "2 s)%n", RollingRooms.distribution(windowAll), windowAll.stream().filter(v -> v > 2000).count());
                    System.out.printf("[chaos] takeover (kill -9 -> first roll accepted, moved rooms): %s%n",
                            RollingRooms.distribution(takeoverAll));
                    System.out.printf("[chaos] roll latency overall: %s; rf_game_partitions_lost_total on live "
                            + "instances: %.0f; socket errors: %s%n", RollingRooms.distribution(rooms.latencies()), lost,
                            errors(rooms));
                    System.out.println("[chaos] " + verdict);
                    assertEquals(0, verdict.holes(), "holes on live sockets");
                    assertEquals(0, verdict.duplicates(), "events delivered twice");
                    assertEquals(0, verdict.lost(), "accepted rolls missing from the log");
                    assertEquals(0, verdict.doubled(), "actions in a log twice");
                    assertEquals(0, verdict.unanswered(), "rolls never answered");
                    assertTrue(verdict.clean(), verdict.toString());
                }
            } catch (Throwable t) {
                System.out.println("[chaos] failed; process logs in " + platform.logDir());
                throw t;
            }
        } finally {
            if (namespace[0] != null) {
                TestNats.deleteNamespace(namespace[0]);
            }
        }
    }

    /** Waits until every partition is owned by a live instance, 3 instances each holding 21 or 22. */
    static long awaitBalanced(ProcessPlatform platform, Connection nc, Duration limit) throws Exception {
        long start = System.nanoTime();
        while (System.nanoTime() - start < limit.toNanos()) {
            Map<Integer, String> owners = platform.leases(nc);
            Map<String, Integer> c = new HashMap<>();
            owners.values().forEach(o -> c.merge(o, 1, Integer::sum));
            long live = platform.games.stream().filter(ServiceProcess::alive).count();
            if (owners.size() == ProcessPlatform.PARTITIONS && c.size() == live && c.values().stream()
                    .allMatch(v -> v >= ProcessPlatform.PARTITIONS / live && v <= (ProcessPlatform.PARTITIONS + live - 1) / live)) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.sleep(100);
        }
        return -1;
    }

    static Map<String, Integer> errors(RollingRooms rooms) {
        Map<String, Integer> all = new HashMap<>();
        rooms.sockets().forEach(s -> s.errors().forEach((k, v) -> all.merge(k, v, Integer::sum)));
        return all;
    }
}
