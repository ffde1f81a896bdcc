package dev.runeforge.platform.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
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
 * Every service killed once under load (issue 15), each replaced by a new process: the gateway (its players
 * reconnect to the new gateway process and resume with exactly the events they missed), auth-service (sign-in
 * comes back with the same signing keys; players already in keep playing), persistence-service (projections catch
 * up), media-token-service, and a game instance. Prints a table: service, what was lost, time to recover.
 */
class EveryServiceChaosIT {
    private static final int ROOMS = Integer.getInteger("rf.chaos.serviceRooms", 50);
    private static final Duration PAUSE = Duration.ofMillis(450);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    record Row(String service, String lost, String recovered, String note) {
    }

    @Test
    void everyServiceKilledOnceIsReplacedAndNothingIsLost() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        ProcessPlatform.Options options = ProcessPlatform.Options.of(db.jdbcUrl(), 2);
        List<Row> table = new ArrayList<>();
        String namespace = null;
        try (ProcessPlatform platform = new ProcessPlatform(options);
             Connection nc = platform.connectBus()) {
            namespace = platform.namespace;
            try {
                platform.awaitAllOwned(nc, Duration.ofSeconds(60));
                try (RollingRooms rooms = RollingRooms.open(platform, ROOMS, PAUSE)) {
                    rooms.start();
                    Thread.sleep(3_000);

                    // gateway: every socket was on it; the replacement is a new process on a new port.
                    ServiceProcess old = platform.gateways().getFirst();
                    long kill = System.nanoTime();
                    old.kill9();
                    ServiceProcess gateway = platform.replaceGateway(old);
                    long ready = gateway.awaitReady(Duration.ofSeconds(60));
                    long resumed = awaitAllBack(rooms, Duration.ofSeconds(60));
                    long inFlight = max(rooms.answeredAfter(kill, r -> true));
                    int rejoined = rooms.sockets().stream().mapToInt(ChaosSocket::rejoinedCount).sum();
                    table.add(new Row("gateway-service", holesAndLosses(rooms, nc, platform),
                            String.format("new process (started at the kill) ready %d ms after its start; the "
                                    + "slowest socket back in its session %d ms after it noticed", ready, resumed),
                            String.format("%d sockets resumed (%d got a fresh joined); the roll in flight answered %s "
                                    + "after the kill", rooms.sockets().size(), rejoined, ms(inFlight))));
                    Thread.sleep(5_000);

                    // auth-service: sign-in needs it; sockets already open do not.
                    String jwksBefore = get(platform, "/.well-known/jwks.json");
                    kill = System.nanoTime();
                    platform.auth.kill9();
                    platform.auth.start();
                    ready = platform.auth.awaitReady(Duration.ofSeconds(60));
                    awaitSignIn(platform, Duration.ofSeconds(60));
                    long signin = (System.nanoTime() - kill) / 1_000_000;
                    String jwksAfter = get(platform, "/.well-known/jwks.json");
                    table.add(new Row("auth-service", holesAndLosses(rooms, nc, platform)
                            + (jwksBefore.equals(jwksAfter) ? ", signing keys kept" : ", SIGNING KEYS CHANGED"),
                            String.format("replacement started at the kill, ready %d ms after its start; guest "
                                    + "sign-in works again %d ms after the kill", ready,
                                    signin),
                            "rolls went on throughout: " + RollingRooms.distribution(rooms.answeredAfter(kill, r -> true))));
                    assertEquals(jwksBefore, jwksAfter, "auth-service's signing keys survive a kill -9");
                    Thread.sleep(3_000);

                    // persistence-service: the projections stop, and must catch up.
                    kill = System.nanoTime();
                    platform.persistence.kill9();
                    Thread.sleep(3_000);
                    platform.persistence.start();
                    ready = platform.persistence.awaitReady(Duration.ofSeconds(60));
                    awaitProjected(rooms, nc, platform, db, Duration.ofSeconds(60));
                    long caught = (System.nanoTime() - kill) / 1_000_000;
                    table.add(new Row("persistence-service", holesAndLosses(rooms, nc, platform) + ", "
                            + Projections.missing(db.jdbcUrl(), db.user(), rooms),
                            String.format("down 3 s; new process ready %d ms after its start; projections caught up "
                                    + "%d ms after the kill", ready, caught), ""));
                    Thread.sleep(3_000);

                    // media-token-service: nothing of its own to lose (voice is off without LiveKit).
                    kill = System.nanoTime();
                    platform.media.kill9();
                    platform.media.start();
                    ready = platform.media.awaitReady(Duration.ofSeconds(60));
                    table.add(new Row("media-token-service", holesAndLosses(rooms, nc, platform),
                            String.format("ready %d ms after its start", ready), "no state"));
                    Thread.sleep(3_000);

                    // a game instance: its partitions move to the other.
                    Map<Integer, String> owners = platform.leases(nc);
                    ServiceProcess victim = platform.games.getFirst();
                    Set<Integer> moved = owners.entrySet().stream().filter(e -> e.getValue().equals(victim.instanceId()))
                            .map(Map.Entry::getKey).collect(Collectors.toSet());
                    kill = System.nanoTime();
                    victim.kill9();
                    victim.start();
                    ready = victim.awaitReady(Duration.ofSeconds(60));
                    Thread.sleep(3_000);
                    List<Long> takeover = rooms.firstAcceptedAfter(kill, r -> moved.contains(r.partition()));
                    table.add(new Row("game-instance-service", holesAndLosses(rooms, nc, platform),
                            String.format("takeover of %d partitions: %s; replacement ready %d ms after its start",
                                    moved.size(), RollingRooms.distribution(takeover), ready),
                            "in flight answered after the kill: " + RollingRooms.distribution(
                                    rooms.answeredAfter(kill, r -> moved.contains(r.partition())))));

                    rooms.stop(Duration.ofSeconds(30));
                    Thread.sleep(1_000);
                    RollingRooms.Verdict verdict = rooms.verify(nc, platform.subjects);
                    long caughtUp = Projections.awaitCaughtUp(db.jdbcUrl(), db.user(), rooms, Duration.ofSeconds(60));
                    System.out.printf("%n[chaos] every service killed once (kill -9) under %d rooms rolling; load %s%n",
                            ROOMS, Load.now());
                    System.out.println("| service | lost | recovery | note |");
                    System.out.println("|---|---|---|---|");
                    for (Row r : table) {
                        System.out.printf("| %s | %s | %s | %s |%n", r.service(), r.lost(), r.recovered(), r.note());
                    }
                    System.out.printf("[chaos] at the end: %s; projections caught up: %s; socket errors %s%n", verdict,
                            caughtUp >= 0, GameKillRoundsIT.errors(rooms));
                    assertEquals(0, verdict.holes(), "holes on live sockets");
                    assertEquals(0, verdict.lost(), "accepted rolls missing from the log");
                    assertEquals(0, verdict.doubled(), "actions in a log twice");
                    assertTrue(verdict.clean(), verdict.toString());
                    assertTrue(caughtUp >= 0, "projections caught up");
                }
            } catch (Throwable t) {
                System.out.println("[chaos] failed; process logs in " + platform.logDir());
                table.forEach(r -> System.out.println("[chaos] so far: " + r));
                throw t;
            }
        } finally {
            if (namespace != null) {
                TestNats.deleteNamespace(namespace);
            }
        }
    }

    /** What the sockets and logs say so far: holes, duplicates (the log is read at the end). */
    private static String holesAndLosses(RollingRooms rooms, Connection nc, ProcessPlatform platform) {
        int holes = rooms.sockets().stream().mapToInt(ChaosSocket::holes).sum();
        int dups = rooms.sockets().stream().mapToInt(ChaosSocket::duplicates).sum();
        return holes == 0 && dups == 0 ? "nothing (0 holes, 0 duplicates)" : holes + " holes, " + dups + " duplicates";
    }

    /** Waits until no socket is reconnecting; returns the longest reconnect (drop noticed -> back in session), ms. */
    private static long awaitAllBack(RollingRooms rooms, Duration limit) throws Exception {
        long start = System.nanoTime();
        Thread.sleep(200);
        while (rooms.sockets().stream().anyMatch(ChaosSocket::resuming)) {
            if (System.nanoTime() - start > limit.toNanos()) {
                throw new AssertionError("sockets still reconnecting after " + limit);
            }
            Thread.sleep(50);
        }
        return rooms.sockets().stream().flatMap(s -> s.reconnectMillis().stream()).mapToLong(Long::longValue).max()
                .orElse(-1);
    }

    private static long awaitSignIn(ProcessPlatform platform, Duration limit) throws Exception {
        long start = System.nanoTime();
        while (true) {
            try {
                platform.guest("Late");
                return (System.nanoTime() - start) / 1_000_000;
            } catch (Exception e) {
                if (System.nanoTime() - start > limit.toNanos()) {
                    throw e;
                }
            }
        }
    }

    /** Waits until the archive holds every event of the first room up to its current seq; ms since the call. */
    private static long awaitProjected(RollingRooms rooms, Connection nc, ProcessPlatform platform,
                                       TestPostgres.Database db, Duration limit) throws Exception {
        long start = System.nanoTime();
        RollingRooms.Room room = rooms.rooms().getFirst();
        long target = room.watcher().lastSeq();
        try (var c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             var st = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM session_events WHERE session = ?")) {
            st.setString(1, room.session());
            while (System.nanoTime() - start < limit.toNanos()) {
                try (var rs = st.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) >= target) {
                        return (System.nanoTime() - start) / 1_000_000;
                    }
                }
                Thread.sleep(100);
            }
        }
        return -1;
    }

    private static String get(ProcessPlatform platform, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(platform.http(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long max(List<Long> sorted) {
        return sorted.isEmpty() ? -1 : sorted.getLast();
    }

    private static String ms(long v) {
        return v == Long.MAX_VALUE ? "never" : v < 0 ? "-" : v + " ms";
    }
}
