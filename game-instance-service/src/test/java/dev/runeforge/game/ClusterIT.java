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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.ActionClient;
import dev.runeforge.common.bus.ActionReply;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.bus.Commit;
import dev.runeforge.game.bus.SessionLog;
import dev.runeforge.testsupport.TestBus;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Game instances as separate JVM processes (the real runnable jar) under a steady stream of actions from many
 * sessions, while instances are killed, restarted and added. Acts as the gateway itself: sends actions with the
 * gateway's {@link ActionClient} (a request to the partition's owner, repeated with the same id until answered),
 * and afterwards checks every session's log against what was accepted.
 */
class ClusterIT {
    private static final int PARTITIONS = 64;
    private static final int SESSIONS = Integer.getInteger("rf.cluster.sessions", 200);
    private static final Duration INTERVAL = Duration.ofMillis(Integer.getInteger("rf.cluster.intervalMs", 300));
    /**
     * How long balancing may take before a test fails: a bound for "never", not a latency target (the tests print
     * the times; a rebalance took over 15 s once on a box at load 20, with four JVMs starting beside it).
     */
    private static final Duration BALANCE_LIMIT = Duration.ofSeconds(60);
    private static final Path JAR = Path.of("target", "game-instance-service.jar").toAbsolutePath();

    @RegisterExtension
    final TestBus bus = new TestBus();
    private ActionClient actions;
    private final Map<String, Process> instances = new HashMap<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Map<String, List<String>> acked = new ConcurrentHashMap<>();
    /** session -> accept times (nanoTime) */
    private final Map<String, List<Long>> accepts = new ConcurrentHashMap<>();
    private final List<Long> latenciesMicros = new CopyOnWriteArrayList<>();
    private final AtomicBoolean load = new AtomicBoolean();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicInteger busy = new AtomicInteger();
    private final List<Thread> clients = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        assertTrue(JAR.toFile().isFile(), "run through Maven verify: the IT starts the packaged jar " + JAR);
        NatsClients.ensureStreams(bus.nc(), bus.subjects());
        NatsClients.ensureDirectory(bus.nc(), bus.subjects());
        actions = new ActionClient(bus.nc(), bus.subjects(), PARTITIONS, new ActionClient.Settings(
                Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMillis(10), Duration.ofMillis(200)));
    }

    @AfterEach
    void tearDown() throws Exception {
        load.set(false);
        for (Thread t : clients) {
            t.join(10_000);
        }
        instances.values().forEach(Process::destroyForcibly);
        actions.close();
        for (Process p : instances.values()) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process start(String name) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC", "-Xms32m", "-Xmx160m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString())
                .redirectErrorStream(true)
                .redirectOutput(new File("target/cluster-" + bus.namespace() + "-" + name + ".log"));
        pb.environment().putAll(TestNats.environment(Main.SERVICE));
        pb.environment().putAll(Map.of("BUS_NAMESPACE", bus.namespace(), "ADMIN_PORT", "0",
                "GAME_PARTITIONS", Integer.toString(PARTITIONS), "GAME_INSTANCE", name, "GAME_DICE_ROLLS_LIMIT", "1000000", "LOG_LEVEL", System.getProperty("rf.cluster.logLevel", "INFO")));
        // NATS never restarts here, so this test runs with a short probe grace: it measures the takeover itself.
        // With the default (1 s, which keeps leases through a NATS restart: BusAndDatabaseChaosIT) a kill -9 is
        // taken over in ~1.4 s on an idle-ish box and was measured at 3.6 s at load 19, past this test's 2 s bound.
        pb.environment().put("GAME_PROBE_GRACE", System.getProperty("rf.cluster.probeGrace", "PT0.3S"));
        Process p = pb.start();
        instances.put(name, p);
        return p;
    }

    /** Partition -> owner, from the lease bucket. */
    private Map<Integer, String> leases() throws Exception {
        if (!bus.nc().keyValueManagement().getBucketNames().contains(bus.namespace() + "-leases")) {
            return Map.of(); // no instance has started far enough yet
        }
        KeyValue kv = bus.nc().keyValue(bus.namespace() + "-leases");
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
                    + bus.nc().keyValueManagement().getBucketNames());
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

    /** Sends as the gateway does (repeated with the same id until answered); the answer must be an acceptance. */
    private long send(BusAction a) throws Exception {
        long start = System.nanoTime();
        ActionReply reply = actions.send(a).get(60, TimeUnit.SECONDS);
        while (reply.outcome() == ActionReply.Outcome.BUSY) {
            // Overloaded (a 2-core box running four JVMs): the player's client waits and sends it again.
            busy.incrementAndGet();
            Thread.sleep(500);
            reply = actions.send(a).get(60, TimeUnit.SECONDS);
        }
        long at = System.nanoTime();
        if (reply.outcome() != ActionReply.Outcome.ACCEPTED && reply.outcome() != ActionReply.Outcome.DUPLICATE) {
            errors.add(a.key() + ": " + reply.outcome() + " " + reply.frames());
            return at;
        }
        if (reply.outcome() == ActionReply.Outcome.DUPLICATE) {
            retries.incrementAndGet(); // an earlier attempt was applied: its answer got lost on the way
        }
        if (a.kind() == BusAction.Kind.GAME) {
            acked.computeIfAbsent(a.session(), s -> new CopyOnWriteArrayList<>()).add(a.key());
        }
        latenciesMicros.add((at - start) / 1000);
        accepts.computeIfAbsent(a.session(), s -> new CopyOnWriteArrayList<>()).add(at);
        return at;
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

    /**
     * Stops sending and waits for every client's last action to be answered: the logs are compared with what was
     * acked only once nothing is in flight (an action applied whose answer is still on its way would look extra).
     */
    private void stopLoad() throws Exception {
        load.set(false);
        long dumpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean dumped = false;
        for (Thread t : clients) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(dumpAt - System.nanoTime())));
            if (t.isAlive() && !dumped) {
                dumpInstances();
                dumped = true;
            }
            t.join(120_000);
            assertTrue(!t.isAlive(), "a client still waits for an answer 2 minutes after the load stopped");
        }
        clients.clear();
    }

    /**
     * A client still waits 10 s after the load stopped (each action is answered within ~2 s when all is well): who
     * owns what, and every instance's threads, virtual ones included, in target/ (a rolling restart once left one new
     * instance answering nothing on its partitions for 30 s, with nothing in its log: the dumps are what tells why).
     */
    private void dumpInstances() throws Exception {
        System.out.println("clients still wait 10 s after the load stopped; owners: " + leases());
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
        for (var e : instances.entrySet()) {
            Path file = Path.of("target/cluster-" + bus.namespace() + "-" + e.getKey() + "-threads.txt")
                    .toAbsolutePath();
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(e.getValue().pid()), "Thread.dump_to_file",
                    "-overwrite", file.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            System.out.println("threads of " + e.getKey() + " (pid " + e.getValue().pid() + "): " + file
                    + (dump.waitFor(30, TimeUnit.SECONDS) && dump.exitValue() == 0 ? "" : " (jcmd failed)"));
        }
    }

    /** Every acked action exactly once, in the order sent, in a gap-free log with no fork. */
    private void verifyLogs(List<String> sessions) throws Exception {
        int total = 0;
        for (String session : sessions) {
            List<String> logged = new ArrayList<>();
            long expectedSeq = 1;
            for (SessionLog.Stored stored : new SessionLog(bus.nc(), bus.subjects()).read(session, 1)) {
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
    void killingAnInstanceLosesNothingAndEverySessionMovesOn() throws Exception {
        start("gi-a");
        start("gi-b");
        start("gi-c");
        awaitAllOwned(Duration.ofSeconds(90)); // three JVMs starting: minutes on a box at load 30
        List<String> sessions = startLoad(SESSIONS);
        Thread.sleep(3_000);
        awaitBalanced(3, BALANCE_LIMIT);
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
            if (ms > 2_000) {
                // Printed, not asserted: a timing on a shared 2-core box (scripts/bench-chaos.sh measures it).
                System.out.println("session " + session + " accepted again only after " + ms + " ms");
            }
            if (moved) {
                takeover.add((first - kill) * 1000 / 1_000_000);
            }
        }
        assertTrue(takeover.size() > SESSIONS / 6, "sessions that moved: " + takeover.size());
        System.out.println("takeover (kill -9 -> first action accepted again, moved sessions): " + percentiles(takeover));
        System.out.println("action latency around the kill (send -> answered): " + percentiles(latenciesMicros));
        System.out.println("answered as duplicates (an earlier attempt applied): " + retries.get()
                + "; refused BUSY and sent again: " + busy.get());
        verifyLogs(sessions);
        assertTrue(errors.isEmpty(), "errors: " + errors);
        assertTrue(leases().values().stream().noneMatch("gi-a"::equals), "the dead instance holds no lease");
    }

    @Test
    void aRollingRestartLosesNothingAndNobodySeesAnError() throws Exception {
        start("gi-1");
        start("gi-2");
        start("gi-3");
        awaitAllOwned(Duration.ofSeconds(90)); // three JVMs starting: minutes on a box at load 30
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
        System.out.println("action latency during the rolling restart (send -> answered): " + percentiles(latenciesMicros));
        System.out.println("answered as duplicates (an earlier attempt applied): " + retries.get()
                + "; refused BUSY and sent again: " + busy.get());
        verifyLogs(sessions);
        assertTrue(errors.isEmpty(), "errors: " + errors);
    }

    @Test
    void aFourthInstanceGetsItsShare() throws Exception {
        start("gi-w");
        start("gi-x");
        start("gi-y");
        awaitAllOwned(Duration.ofSeconds(90)); // three JVMs starting: minutes on a box at load 30
        System.out.println("three instances: " + awaitBalanced(3, BALANCE_LIMIT));
        long started = System.nanoTime();
        start("gi-z");
        // Timed from when it is a member (starting a JVM alone took over 10 s at load 15) and printed; the bound is
        // only there so a newcomer that never gets its share fails (1.1 s measured at load 14; a quiet box: ~1 s).
        KeyValue members = bus.nc().keyValue(bus.namespace() + "-members");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (members.get("gi-z") == null) {
            assertTrue(System.nanoTime() < deadline, "the fourth instance joined");
            Thread.sleep(50);
        }
        long joined = System.nanoTime();
        Map<String, Integer> counts = awaitBalanced(4, BALANCE_LIMIT);
        System.out.printf("four instances balanced %d ms after the fourth started, %d ms after it joined: %s%n",
                (System.nanoTime() - started) / 1_000_000, (System.nanoTime() - joined) / 1_000_000, counts);
    }

    /**
     * Every member entry gone at once, as when a NATS cluster elects a new leader for the members bucket for
     * longer than the ttl (measured: ~10 s at load 15) and the entries lapse: nobody is dead, so no lease may
     * move. Each instance joins again and keeps the leases its lease watch still shows as its own. (Before: every
     * instance abandoned all its partitions and took them again.)
     */
    @Test
    void membersLapsingTogetherMoveNoPartition() throws Exception {
        start("gi-l1");
        start("gi-l2");
        start("gi-l3");
        awaitAllOwned(Duration.ofSeconds(90));
        awaitBalanced(3, BALANCE_LIMIT);
        KeyValue leaseBucket = bus.nc().keyValue(bus.namespace() + "-leases");
        KeyValue memberBucket = bus.nc().keyValue(bus.namespace() + "-members");
        Map<String, Long> before = new HashMap<>();
        for (String key : leaseBucket.keys()) {
            var e = leaseBucket.get(key);
            before.put(key + "=" + e.getValueAsString(), e.getRevision());
        }
        // Max age removes an entry without a delete marker: the stream purged is exactly that, for all at once.
        bus.nc().jetStreamManagement().purgeStream("KV_" + bus.namespace() + "-members");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (memberBucket.keys().size() < 3) {
            assertTrue(System.nanoTime() < deadline, "members joined again: " + memberBucket.keys());
            Thread.sleep(100);
        }
        Thread.sleep(3_000); // a probe round and a balance after they are back: nothing may move now either
        Map<String, Long> after = new HashMap<>();
        for (String key : leaseBucket.keys()) {
            var e = leaseBucket.get(key);
            after.put(key + "=" + e.getValueAsString(), e.getRevision());
        }
        assertEquals(before, after, "every lease kept by its owner, untouched (owner and revision)");
    }
}
