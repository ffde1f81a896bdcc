package dev.runeforge.game.ownership;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;

/**
 * Partition ownership through leases in a KV bucket ({@code <ns>-leases}, key {@code p<n>}, value: the
 * owner's id). A lease is taken with create-if-absent, kept by compare-and-set updates every ttl/4, and lost
 * when it is not refreshed for one ttl (the bucket's max age removes it; default 800 ms). Live instances announce themselves
 * in {@code <ns>-members} with how many partitions they hold, and {@link Balance} evens the load.
 *
 * <p>A lease only decides who consumes a partition's actions; it does not protect the log: a stale owner that
 * still writes is stopped by the fenced append. So a lost lease stops the worker at once, without a snapshot.
 */
public final class PartitionManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PartitionManager.class.getName());

    /** Starts and stops work on one partition. */
    public interface Host {
        void start(int partition) throws Exception;

        /** Graceful: finish the action in hand, snapshot, forget. */
        void release(int partition);

        /** The lease was lost: stop at once and forget, without writing anything. */
        void abandon(int partition);
    }

    private record Member(int owned, long at) {
    }

    private final String id;
    private final int partitions;
    private final Duration ttl;
    private final Host host;
    private final KeyValue leases;
    private final KeyValue members;
    /** partition -> revision of our lease entry */
    private final Map<Integer, Long> owned = new ConcurrentSkipListMap<>();
    private final Counter acquired;
    private final Counter lost;
    private final Timer startTime;
    private volatile boolean running = true;
    private Thread refresher;
    private Thread balancer;

    public PartitionManager(Connection nc, Subjects subjects, String instanceId, int partitions, Duration ttl,
                            int replicas, Host host, MeterRegistry metrics) throws IOException, JetStreamApiException {
        this.id = instanceId;
        this.partitions = partitions;
        this.ttl = ttl;
        this.host = host;
        this.leases = bucket(nc, subjects.namespace() + "-leases", ttl, replicas);
        this.members = bucket(nc, subjects.namespace() + "-members", ttl, replicas);
        Gauge.builder("rf_game_partitions_owned", owned, Map::size).description("Partitions this instance owns")
                .register(metrics);
        acquired = Counter.builder("rf_game_partitions_acquired_total")
                .description("Partition leases taken (takeovers and hand-offs)").register(metrics);
        lost = Counter.builder("rf_game_partitions_lost_total")
                .description("Partition leases lost without a release (pause, partition, overload)").register(metrics);
        startTime = Timer.builder("rf_game_takeover_duration_seconds")
                .description("From lease taken to the partition's actions flowing again").register(metrics);
    }

    private static KeyValue bucket(Connection nc, String name, Duration ttl, int replicas)
            throws IOException, JetStreamApiException {
        // Memory storage: leases are worthless after a NATS restart anyway, and expiry is precise.
        return NatsClients.ensureBucket(nc, KeyValueConfiguration.builder().name(name).storageType(StorageType.Memory)
                .maxHistoryPerKey(1).ttl(ttl).replicas(replicas).build());
    }

    /**
     * Two loops: the refresher (every ttl/4) keeps our leases and our member entry alive and never waits on
     * anything slow; the balancer (every ttl/8, so a lapsed lease is taken soon after it lapses) takes and gives
     * back partitions (starting one re-creates a consumer).
     */
    public void start() {
        long tick = Math.max(50, ttl.toMillis() / 4);
        long balanceTick = Math.max(25, ttl.toMillis() / 8);
        refresher = Thread.ofPlatform().name("lease-refresher").daemon().start(() -> every(tick, this::keepAlive));
        // Let instances starting together see each other before anyone takes partitions.
        balancer = Thread.ofPlatform().name("partition-balancer").daemon().start(() -> {
            sleepQuietly(ttl.toMillis());
            every(balanceTick, this::balance);
        });
    }

    public int ownedCount() {
        return owned.size();
    }

    private interface Step {
        void run() throws Exception;
    }

    private void every(long millis, Step step) {
        while (running) {
            try {
                step.run();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.log(Level.WARNING, "partition ownership step failed", e);
            }
            if (!sleepQuietly(millis)) {
                return;
            }
        }
    }

    private static boolean sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void keepAlive() throws IOException, JetStreamApiException {
        if (!running) {
            return;
        }
        refresh();
        members.put(id, Json.bytes(new Member(owned.size(), System.currentTimeMillis())));
    }

    private synchronized void balance() throws IOException, JetStreamApiException, InterruptedException {
        if (!running) {
            return;
        }
        Map<String, Integer> live = new HashMap<>();
        for (String member : members.keys()) {
            KeyValueEntry e = members.get(member);
            if (e != null && e.getValue() != null) {
                live.put(member, Json.read(e.getValue(), Member.class).owned());
            }
        }
        live.put(id, owned.size());
        Balance.Plan plan = Balance.plan(id, live, partitions);
        switch (plan.move()) {
            case RELEASE -> {
                List<Integer> excess = new ArrayList<>(owned.keySet());
                releaseAll(excess.subList(Math.min(excess.size(), plan.target()), excess.size()));
            }
            case ACQUIRE -> acquire(plan.target());
            case HOLD -> {
            }
        }
    }

    /**
     * Renews every lease we hold; a lease someone else holds now, or that expired, is abandoned. Abandoning
     * stops a worker (which may take a while), so it happens off this thread: the refresh of the other leases
     * must never wait for it, or one lost lease would make the rest lapse one after another.
     */
    private void refresh() throws IOException {
        for (var entry : new ArrayList<>(owned.entrySet())) {
            int p = entry.getKey();
            long revision = entry.getValue();
            try {
                // replace, not put: a partition released meanwhile must stay released
                owned.replace(p, revision, leases.update(key(p), id.getBytes(StandardCharsets.UTF_8), revision));
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != NatsClients.WRONG_LAST_SEQUENCE) {
                    throw new IOException(e);
                }
                if (owned.remove(p, revision)) {
                    LOG.warning(() -> "lease on partition " + p + " lost");
                    lost.increment();
                    Thread.ofVirtual().name("abandon-" + p).start(() -> host.abandon(p));
                }
            }
        }
    }

    /**
     * Takes free partitions up to {@code target}: the leases one by one (fast), then starts them all at once,
     * since each start re-creates a consumer (tens of ms) and a dead instance's share should move as one.
     */
    private void acquire(int target) throws IOException, JetStreamApiException, InterruptedException {
        List<String> taken = leases.keys();
        List<Integer> fresh = new ArrayList<>();
        for (int p = 0; p < partitions && owned.size() < target && running; p++) {
            if (owned.containsKey(p) || taken.contains(key(p))) {
                continue;
            }
            try {
                owned.put(p, leases.create(key(p), id.getBytes(StandardCharsets.UTF_8)));
                fresh.add(p);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != NatsClients.WRONG_LAST_SEQUENCE) {
                    throw e;
                }
                // someone else was quicker
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        List<Thread> starting = new ArrayList<>();
        for (int p : fresh) {
            starting.add(Thread.ofVirtual().start(() -> startPartition(p, start)));
        }
        for (Thread t : starting) {
            t.join();
        }
        LOG.info(() -> id + " took partitions " + fresh + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    private void startPartition(int p, long since) {
        try {
            host.start(p);
            acquired.increment();
            startTime.record(Duration.ofNanos(System.nanoTime() - since));
        } catch (Exception e) {
            LOG.log(Level.WARNING, "could not start partition " + p + "; giving its lease back", e);
            Long revision = owned.remove(p);
            try {
                if (revision != null) {
                    leases.delete(key(p), revision);
                }
            } catch (IOException | JetStreamApiException ex) {
                LOG.log(Level.FINE, "lease " + p + " could not be given back; it will lapse", ex);
            }
        }
    }

    /** Gives partitions back, all at once: each worker finishes its action in hand, snapshots, then the lease goes. */
    private void releaseAll(List<Integer> partitionsToRelease) throws InterruptedException {
        List<Thread> releasing = new ArrayList<>();
        for (int p : List.copyOf(partitionsToRelease)) {
            Long revision = owned.remove(p);
            if (revision == null) {
                continue;
            }
            releasing.add(Thread.ofVirtual().start(() -> {
                host.release(p);
                try {
                    leases.delete(key(p), revision);
                } catch (IOException | JetStreamApiException e) {
                    // Expired or taken meanwhile: it is not ours either way.
                    LOG.log(Level.FINE, "lease " + p + " was gone at release", e);
                }
            }));
        }
        for (Thread t : releasing) {
            t.join();
        }
        if (!releasing.isEmpty()) {
            LOG.info(() -> id + " released " + releasing.size() + " partitions");
        }
    }

    private static String key(int partition) {
        return "p" + partition;
    }

    /** Drain: releases every partition (each finishes its action in hand and snapshots), then leaves. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : new Thread[] {balancer, refresher}) {
            if (t != null) {
                t.interrupt();
                t.join(5_000);
            }
        }
        synchronized (this) {
            releaseAll(new ArrayList<>(owned.keySet()));
        }
        try {
            members.delete(id);
        } catch (IOException | JetStreamApiException e) {
            LOG.log(Level.FINE, "leaving the member list failed", e);
        }
    }
}
