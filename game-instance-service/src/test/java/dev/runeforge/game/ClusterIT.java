package dev.runeforge.game;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.game.engine.Commit;
import dev.runeforge.game.engine.SessionLog;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Game instances as separate JVM processes (the real runnable jar) under a steady stream of actions from many
 * sessions, while instances are killed, restarted and added. Acts as the gateway itself: publishes actions to
 * JetStream with message ids, waits for {@code accepted}, retries what is not answered, and afterwards checks
 * every session's log against what JetStream acknowledged.
 */
class ClusterIT {
    private static final int PARTITIONS = 64;
    private static final int SESSIONS = Integer.getInteger("rf.cluster.sessions", 200);
    private static final Duration INTERVAL = Duration.ofMillis(Integer.getInteger("rf.cluster.intervalMs", 300));
    private static final Path JAR = Path.of("target", "game-instance-service.jar").toAbsolutePath();

    private String ns;
    private Subjects subjects;
    private Connection nc;
    private final Map<String, Process> instances = new HashMap<>();
    private final Map<String, CompletableFuture<Long>> answers = new ConcurrentHashMap<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Map<String, List<String>> acked = new ConcurrentHashMap<>();
    /** session -> accept times (nanoTime) */
    private final Map<String, List<Long>> accepts = new ConcurrentHashMap<>();
    private final List<Long> latenciesMicros = new CopyOnWriteArrayList<>();
    private final AtomicBoolean load = new AtomicBoolean();
    private final AtomicInteger retries = new AtomicInteger();
    private final List<Thread> clients = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        assertTrue(JAR.toFile().isFile(), "run through Maven verify: the IT starts the packaged jar " + JAR);
        ns = TestNats.newNamespace();
        subjects = new Subjects(ns);
        nc = Nats.connect(TestNats.url());
        NatsClients.ensureStreams(nc, subjects);
        NatsClients.ensureDirectory(nc, subjects);
        nc.createDispatcher(m -> {
            JsonNode msg = Json.tree(m.getData());
            switch (msg.path("type").asText()) {
                case "accepted" -> {
                    var f = answers.get(msg.path("session").asText() + "/" + msg.path("id").asText());
                    if (f != null) {
                        f.complete(System.nanoTime());
                    }
                }
                case "error" -> errors.add(msg.toString());
                default -> {
                }
            }
        }).subscribe(ns + ".out.*.p.>");
    }

    @AfterEach
    void tearDown() throws Exception {
        load.set(false);
        for (Thread t : clients) {
            t.join(10_000);
        }
        instances.values().forEach(Process::destroyForcibly);
        for (Process p : instances.values()) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        nc.close();
        TestNats.deleteNamespace(ns);
    }

    private Process start(String name) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC", "-Xms32m", "-Xmx160m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString())
                .redirectErrorStream(true)
                .redirectOutput(new File("target/cluster-" + ns + "-" + name + ".log"));
        pb.environment().putAll(Map.of("BUS_NAMESPACE", ns, "NATS_URL", TestNats.url(), "ADMIN_PORT", "0",
                "GAME_PARTITIONS", Integer.toString(PARTITIONS), "GAME_INSTANCE", name, "GAME_DICE_ROLLS_LIMIT", "1000000", "LOG_LEVEL", System.getProperty("rf.cluster.logLevel", "INFO")));
        Process p = pb.start();
        instances.put(name, p);
        return p;
    }

    /** Partition -> owner, from the lease bucket. */
    private Map<Integer, String> leases() throws Exception {
        if (!nc.keyValueManagement().getBucketNames().contains(ns + "-leases")) {
            return Map.of(); // no instance has started far enough yet
        }
        KeyValue kv = nc.keyValue(ns + "-leases");
        Map<Integer, String> owners = new HashMap<>();
        for (String key : kv.keys()) {
            var e = kv.get(key);
            if (e != null && e.getValue() != null) {
                owners.put(Integer.parseInt(key.substring(1)), e.getValueAsString());
            }
        }
        return owners;
    }

    private Map<String, Integer> counts() throws Exception {
        Map<String, Integer> c = new HashMap<>();
        leases().values().forEach(o -> c.merge(o, 1, Integer::sum));
        return c;
    }

    private void awaitAllOwned(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (leases().size() < PARTITIONS) {
            assertTrue(System.nanoTime() < deadline, "partitions owned: " + leases().size() + " buckets "
                    + nc.keyValueManagement().getBucketNames());
            Thread.sleep(100);
        }
    }

    /** Waits until {@code n} instances each hold floor(P/n) or ceil(P/n) partitions and all are held. */
    private Map<String, Integer> awaitBalanced(int n, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Map<Integer, String> owners = leases();
            Map<String, Integer> counts = new HashMap<>();
            owners.values().forEach(o -> counts.merge(o, 1, Integer::sum));
            if (owners.size() == PARTITIONS && counts.size() == n
                    && counts.values().stream().allMatch(c -> c >= PARTITIONS / n && c <= (PARTITIONS + n - 1) / n)) {
                return counts;
            }
            assertTrue(System.nanoTime() < deadline, "not balanced within " + within + ": " + counts);
            Thread.sleep(100);
        }
    }

    private static BusAction action(String session, BusAction.Kind kind, String id, JsonNode body) {
        return new BusAction(id, kind, session, "g-" + session.substring(0, 8), "P" + session.substring(0, 4),
                kind == BusAction.Kind.CREATE ? "dice" : null, body, null, System.currentTimeMillis());
    }

    /** Publishes until JetStream acks (as the gateway does), then waits for the answer, re-sending on silence. */
    private long send(BusAction a) throws Exception {
        CompletableFuture<Long> answer = new CompletableFuture<>();
        answers.put(a.session() + "/" + a.id(), answer);
        long start = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            try {
                nc.jetStream().publish(subjects.action(Partitions.of(a.session(), PARTITIONS), a.session()),
                        Json.bytes(a), PublishOptions.builder().messageId(a.key()).streamTimeout(Duration.ofSeconds(2)).build());
                if (a.kind() == BusAction.Kind.GAME && attempt == 0) {
                    acked.computeIfAbsent(a.session(), s -> new CopyOnWriteArrayList<>()).add(a.key());
                }
            } catch (Exception e) {
                retries.incrementAndGet();
                continue;
            }
            try {
                long at = answer.get(3, TimeUnit.SECONDS);
                answers.remove(a.session() + "/" + a.id());
                latenciesMicros.add((at - start) / 1000);
                accepts.computeIfAbsent(a.session(), s -> new CopyOnWriteArrayList<>()).add(at);
                return at;
            } catch (java.util.concurrent.TimeoutException e) {
                retries.incrementAndGet();
                if (attempt > 20) {
                    throw new AssertionError("action " + a.key() + " never answered");
                }
            }
        }
    }

    private List<String> startLoad(int sessions) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            ids.add(UUID.randomUUID().toString().replace("-", ""));
        }
        load.set(true);
        for (String session : ids) {
            clients.add(Thread.ofVirtual().start(() -> {
                try {
                    send(action(session, BusAction.Kind.CREATE, "create", null));
                    for (int n = 0; load.get(); n++) {
                        send(action(session, BusAction.Kind.GAME, String.format("r%06d", n),
                                Json.tree(Map.of("type", "roll", "formula", "1d20"))));
                        Thread.sleep(INTERVAL.toMillis());
                    }
                } catch (Throwable t) {
                    errors.add("client " + session + ": " + t);
                }
            }));
        }
        return ids;
    }

    private void stopLoad() throws InterruptedException {
        load.set(false);
        for (Thread t : clients) {
            t.join(30_000);
        }
        clients.clear();
    }

    /** Every acked action exactly once, in the order sent, in a gap-free log with no fork. */
    private void verifyLogs(List<String> sessions) throws Exception {
        int total = 0;
        for (String session : sessions) {
            List<String> logged = new ArrayList<>();
            long expectedSeq = 1;
            for (SessionLog.Stored stored : new SessionLog(nc, subjects).read(session, 1)) {
                Commit c = stored.commit();
                assertEquals(expectedSeq, c.firstSeq(), "session " + session + " log is gap-free");
                expectedSeq = c.lastSeq() + 1;
                if (!c.actionId().endsWith(":create")) {
                    logged.add(c.actionId());
                }
            }
            List<String> sent = acked.getOrDefault(session, List.of());
            assertEquals(sent, logged, "session " + session + ": every acked action once, in order");
            total += sent.size();
        }
        System.out.printf("verified %d sessions, %d actions: each exactly once, in order%n", sessions.size(), total);
    }

    private static String percentiles(List<Long> values) {
        long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
        if (v.length == 0) {
            return "n=0";
        }
        return String.format("n=%d p50=%.1f ms p90=%.1f ms p99=%.1f ms max=%.1f ms", v.length, v[v.length / 2] / 1000.0,
                v[(int) (v.length * 0.9)] / 1000.0, v[(int) (v.length * 0.99)] / 1000.0, v[v.length - 1] / 1000.0);
    }

    @Test
    void killingAnInstanceLosesNothingAndSessionsMoveOnWithinTwoSeconds() throws Exception {
        start("gi-a");
        start("gi-b");
        start("gi-c");
        awaitAllOwned(Duration.ofSeconds(30));
        List<String> sessions = startLoad(SESSIONS);
        Thread.sleep(3_000);
        awaitBalanced(3, Duration.ofSeconds(15));
        Thread.sleep(2_000);

        Map<Integer, String> before = leases();
        System.out.println("owned before the kill: " + counts());
        long victims = before.values().stream().filter("gi-a"::equals).count();
        assertTrue(victims >= PARTITIONS / 3 - 1, "the instance to kill owns " + victims + " partitions");
        latenciesMicros.clear();
        long kill = System.nanoTime();
        instances.get("gi-a").destroyForcibly(); // SIGKILL: no drain, no release
        System.out.println("killed gi-a at " + java.time.Instant.now());
        Thread.sleep(5_000);
        System.out.println("owned after the kill: " + counts());
        stopLoad();

        List<Long> takeover = new ArrayList<>();
        for (String session : sessions) {
            boolean moved = "gi-a".equals(before.get(Partitions.of(session, PARTITIONS)));
            long first = accepts.getOrDefault(session, List.of()).stream().filter(t -> t > kill).min(Long::compare)
                    .orElseThrow(() -> new AssertionError("session " + session + " accepted nothing after the kill"));
            long ms = (first - kill) / 1_000_000;
            assertTrue(ms <= 2_000, "session " + session + " accepted again only after " + ms + " ms");
            if (moved) {
                takeover.add((first - kill) * 1000 / 1_000_000);
            }
        }
        assertTrue(takeover.size() > SESSIONS / 6, "sessions that moved: " + takeover.size());
        System.out.println("takeover (kill -9 -> first action accepted again, moved sessions): " + percentiles(takeover));
        System.out.println("action latency around the kill (publish -> accepted): " + percentiles(latenciesMicros));
        System.out.println("client retries: " + retries.get());
        verifyLogs(sessions);
        assertTrue(errors.isEmpty(), "errors: " + errors);
        assertTrue(leases().values().stream().noneMatch("gi-a"::equals), "the dead instance holds no lease");
    }

    @Test
    void aRollingRestartLosesNothingAndNobodySeesAnError() throws Exception {
        start("gi-1");
        start("gi-2");
        start("gi-3");
        awaitAllOwned(Duration.ofSeconds(30));
        List<String> sessions = startLoad(SESSIONS);
        Thread.sleep(3_000);
        int generation = 4;
        for (String old : List.of("gi-1", "gi-2", "gi-3")) {
            Process p = instances.remove(old);
            p.destroy(); // SIGTERM: drain, snapshot, release
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), old + " did not exit after SIGTERM");
            start("gi-" + generation++);
            Thread.sleep(3_000);
        }
        System.out.println("owned after the rolling restart: " + counts());
        stopLoad();
        System.out.println("action latency during the rolling restart (publish -> accepted): " + percentiles(latenciesMicros));
        System.out.println("client retries: " + retries.get());
        verifyLogs(sessions);
        assertTrue(errors.isEmpty(), "errors: " + errors);
    }

    @Test
    void aFourthInstanceGetsItsShareWithinTenSeconds() throws Exception {
        start("gi-w");
        start("gi-x");
        start("gi-y");
        awaitAllOwned(Duration.ofSeconds(30));
        System.out.println("three instances: " + awaitBalanced(3, Duration.ofSeconds(15)));
        long started = System.nanoTime();
        start("gi-z");
        Map<String, Integer> counts = awaitBalanced(4, Duration.ofSeconds(10));
        System.out.printf("four instances balanced in %d ms: %s%n", (System.nanoTime() - started) / 1_000_000, counts);
    }
}
