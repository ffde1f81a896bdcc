package dev.runeforge.game.ownership;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.PublishOptions;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;

/**
 * Partition ownership through leases in a KV bucket ({@code <ns>-leases}, key {@code p<n>}, value: the
 * owner's id). A lease is taken with create-if-absent, kept by compare-and-set updates every ttl/4 (all of an
 * instance's leases at once, pipelined: one round trip however many it holds), and lost when it is not
 * refreshed for one ttl (the bucket's max age removes it; default 2 s). Live instances announce themselves in
 * {@code <ns>-members} with how many partitions they hold, and {@link Balance} evens the load.
 *
 * <p>A dead instance is not waited for: {@link Liveness} probes the other members every 100 ms, and one whose
 * NATS connection is gone (its process died) is reaped at once: its member entry and its leases are deleted
 * (compare-and-delete, so only what it still held), and every instance is nudged ({@code <ns>.game.rebalance})
 * to take its share at once, as after a drain.
 * The lease expiry is the fallback for an instance that is still connected but stopped refreshing (a long
 * pause, a hang); it is the only case that waits for the ttl.
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

    /** How often the other members are probed, and the floor of the balancer's tick. */
    static final Duration PROBE_TICK = Duration.ofMillis(100);

    private final String id;
    private final byte[] idBytes;
    private final int partitions;
    private final Duration ttl;
    private final Host host;
    private final JetStream js;
    private final String leaseSubjectPrefix;
    private final KeyValue leases;
    private final KeyValue members;
    /** partition -> revision of our lease entry */
    private final Map<Integer, Long> owned = new ConcurrentSkipListMap<>();
    /** The other members and their entries, as the last balance read them: whom the prober probes. */
    private volatile Map<String, KeyValueEntry> others = Map.of();
    private final Counter acquired;
    private final Counter lost;
    private final Timer startTime;
    private final Counter reaped;
    private final Liveness liveness;
    private final Connection nc;
    private final String rebalanceSubject;
    private final Semaphore wake = new Semaphore(0);
    private Dispatcher nudges;
    private volatile boolean running = true;
    private Thread refresher;
    private Thread balancer;

    public PartitionManager(Connection nc, Subjects subjects, String instanceId, int partitions, Duration ttl,
                            int replicas, Host host, MeterRegistry metrics) throws IOException, JetStreamApiException {
        if (!instanceId.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("game.instance must be 1-64 letters, digits, '-' or '_': " + instanceId);
        }
        this.id = instanceId;
        this.nc = nc;
        this.rebalanceSubject = subjects.rebalance();
        this.idBytes = instanceId.getBytes(StandardCharsets.UTF_8);
        this.partitions = partitions;
        this.ttl = ttl;
        this.host = host;
        this.js = nc.jetStream();
        String leaseBucket = subjects.namespace() + "-leases";
        this.leaseSubjectPrefix = "$KV." + leaseBucket + ".";
        this.leases = bucket(nc, leaseBucket, ttl, replicas);
        this.members = bucket(nc, subjects.namespace() + "-members", ttl, replicas);
        this.liveness = new Liveness(nc, subjects, PROBE_TICK);
        Gauge.builder("rf_game_partitions_owned", owned, Map::size).description("Partitions this instance owns")
                .register(metrics);
        acquired = Counter.builder("rf_game_partitions_acquired_total")
                .description("Partition leases taken (takeovers and hand-offs)").register(metrics);
        lost = Counter.builder("rf_game_partitions_lost_total")
                .description("Partition leases lost without a release (pause, partition, overload)").register(metrics);
        startTime = Timer.builder("rf_game_takeover_duration_seconds")
                .description("From lease taken to the partition's actions flowing again").register(metrics);
        reaped = Counter.builder("rf_game_instances_reaped_total")
                .description("Dead instances (NATS connection gone) whose leases this instance freed").register(metrics);
    }

    private static KeyValue bucket(Connection nc, String name, Duration ttl, int replicas)
            throws IOException, JetStreamApiException {
        // Memory storage: leases are worthless after a NATS restart anyway, and expiry is precise.
        return NatsClients.ensureBucket(nc, KeyValueConfiguration.builder().name(name).storageType(StorageType.Memory)
                .maxHistoryPerKey(1).ttl(ttl).replicas(replicas).build());
    }

    /**
     * Two loops: the refresher (every ttl/4) keeps our leases and our member entry alive and never waits on
     * anything slow; the balancer probes the other members every {@link #PROBE_TICK} (reaping the dead and
     * balancing at once when it finds one) and balances every ttl/8 otherwise, so a lapsed lease is taken soon
     * after it lapses.
     */
    public void start() throws TimeoutException, InterruptedException {
        liveness.answerFor(id); // before we announce ourselves, so nobody takes us for dead
        long tick = Math.max(50, ttl.toMillis() / 4);
        long balanceEvery = Math.max(PROBE_TICK.toMillis(), ttl.toMillis() / 8);
        refresher = Thread.ofPlatform().name("lease-refresher").daemon().start(() -> every(tick, this::keepAlive));
        nudges = nc.createDispatcher(msg -> nudge());
        nudges.subscribe(rebalanceSubject);
        balancer = Thread.ofPlatform().name("partition-balancer").daemon().start(() -> {
            // Let instances starting together see each other before anyone takes partitions.
            sleepQuietly(Math.min(ttl.toMillis(), 1_000));
            long next = 0;
            while (running) {
                try {
                    boolean someoneDied = reapTheDead();
                    if (someoneDied || wake.drainPermits() > 0 || System.nanoTime() >= next) {
                        balance();
                        next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(balanceEvery);
                    }
                    if (wake.tryAcquire(PROBE_TICK.toMillis(), TimeUnit.MILLISECONDS)) {
                        wake.release(); // a nudge: balance on the next turn, without waiting for the tick
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "partition ownership step failed", e);
                    sleepQuietly(PROBE_TICK.toMillis());
                }
            }
        });
    }

    /** Balance now: partitions were freed (a dead instance reaped, or a drain handed them back). */
    private void nudge() {
        wake.release();
    }

    /** Tells every instance (this one too) that partitions are free to take now. */
    private void announceFreed() {
        nc.publish(rebalanceSubject, new byte[0]);
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

    private void keepAlive() throws IOException, JetStreamApiException, InterruptedException {
        if (!running) {
            return;
        }
        refresh();
        members.put(id, Json.bytes(new Member(owned.size(), System.currentTimeMillis())));
    }

    /** Probes the members the last balance saw; reaps those whose connection is provably gone. */
    private boolean reapTheDead() throws IOException, JetStreamApiException, InterruptedException {
        Map<String, KeyValueEntry> known = others;
        if (known.isEmpty()) {
            return false;
        }
        Set<String> gone = liveness.gone(known.keySet());
        for (String member : gone) {
            reap(member);
        }
        return !gone.isEmpty();
    }

    private synchronized void balance() throws IOException, JetStreamApiException, InterruptedException {
        if (!running) {
            return;
        }
        Map<String, KeyValueEntry> seen = new HashMap<>();
        for (String member : members.keys()) {
            KeyValueEntry e = members.get(member);
            if (e != null && e.getValue() != null && !member.equals(id)) {
                seen.put(member, e);
            }
        }
        others = Map.copyOf(seen);
        Map<String, Integer> live = new HashMap<>();
        seen.forEach((member, e) -> live.put(member, Json.read(e.getValue(), Member.class).owned()));
        live.put(id, owned.size());
        Balance.Plan plan = Balance.plan(id, live, partitions);
        switch (plan.move()) {
            case RELEASE -> {
                List<Integer> excess = new ArrayList<>(owned.keySet());
                releaseAll(excess.subList(Math.min(excess.size(), plan.target()), excess.size()));
            }
            case ACQUIRE -> acquire(plan.target(), live.keySet());
            case HOLD -> {
            }
        }
    }

    /**
     * Frees what a dead instance held: its leases (only those still its own) and its member entry (as it is now:
     * the dead write no more, and one wrongly taken for dead that writes again is simply back).
     */
    private void reap(String member) throws IOException, JetStreamApiException, InterruptedException {
        long start = System.nanoTime();
        List<Callable<Boolean>> deletes = new ArrayList<>();
        readLeases().forEach((p, lease) -> {
            if (member.equals(lease.getValueAsString())) {
                deletes.add(() -> deleteIfUnchanged(leases, key(p), lease.getRevision()));
            }
        });
        long freed = inParallel(deletes).stream().filter(Boolean.TRUE::equals).count();
        if (freed > 0) {
            announceFreed();
        }
        KeyValueEntry entry = members.get(member);
        if (entry != null && entry.getValue() != null) {
            deleteIfUnchanged(members, member, entry.getRevision());
        }
        reaped.increment();
        LOG.warning(() -> id + ": " + member + " is gone (its NATS connection closed); freed " + freed
                + " of its leases in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    /** Compare-and-delete; false if someone changed or removed the entry first (another reaper, a lapse). */
    private static boolean deleteIfUnchanged(KeyValue kv, String key, long revision)
            throws IOException, JetStreamApiException {
        try {
            kv.delete(key, revision);
            return true;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != NatsClients.WRONG_LAST_SEQUENCE) {
                throw e;
            }
            return false;
        }
    }

    /** Every live lease (partition -> entry), read in parallel: one round trip, not one per partition. */
    private Map<Integer, KeyValueEntry> readLeases() throws IOException, InterruptedException {
        List<Callable<KeyValueEntry>> reads = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            String key = key(p);
            reads.add(() -> leases.get(key));
        }
        List<KeyValueEntry> entries = inParallel(reads);
        Map<Integer, KeyValueEntry> live = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            KeyValueEntry e = entries.get(p);
            if (e != null && e.getValue() != null) {
                live.put(p, e);
            }
        }
        return live;
    }

    /** Runs the calls on virtual threads and returns their results in order; the first failure is thrown. */
    private static <T> List<T> inParallel(List<Callable<T>> calls) throws IOException, InterruptedException {
        List<CompletableFuture<T>> futures = new ArrayList<>();
        for (Callable<T> call : calls) {
            CompletableFuture<T> f = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    f.complete(call.call());
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            });
            futures.add(f);
        }
        List<T> results = new ArrayList<>();
        for (CompletableFuture<T> f : futures) {
            try {
                results.add(f.get());
            } catch (ExecutionException e) {
                throw new IOException(e.getCause().getMessage(), e.getCause());
            }
        }
        return results;
    }

    /**
     * Renews every lease we hold, all at once: one pipelined compare-and-set publish per lease (what
     * {@code KeyValue.update} sends, without waiting for each answer before the next), so the refresh takes one
     * round trip however many partitions we hold. A lease someone else holds now, or that expired, is
     * abandoned. Abandoning stops a worker (which may take a while), so it happens off this thread: the refresh
     * of the other leases must never wait for it, or one lost lease would make the rest lapse one after another.
     */
    private void refresh() throws InterruptedException {
        Map<Integer, Long> sent = new HashMap<>(owned);
        Map<Integer, CompletableFuture<PublishAck>> acks = new HashMap<>();
        sent.forEach((p, revision) -> acks.put(p, js.publishAsync(leaseSubjectPrefix + key(p), idBytes,
                PublishOptions.builder().expectedLastSubjectSequence(revision).build())));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(100, ttl.toMillis() / 2));
        for (var ack : acks.entrySet()) {
            int p = ack.getKey();
            long revision = sent.get(p);
            try {
                PublishAck done = ack.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                // replace, not put: a partition released meanwhile must stay released
                owned.replace(p, revision, done.getSeqno());
            } catch (ExecutionException e) {
                if (apiErrorCode(e) == NatsClients.WRONG_LAST_SEQUENCE) {
                    if (owned.remove(p, revision)) {
                        LOG.warning(() -> "lease on partition " + p + " lost");
                        lost.increment();
                        Thread.ofVirtual().name("abandon-" + p).start(() -> host.abandon(p));
                    }
                } else {
                    LOG.log(Level.WARNING, "refreshing the lease on partition " + p + " failed; retrying", e.getCause());
                }
            } catch (TimeoutException e) {
                LOG.warning(() -> "refreshing the lease on partition " + p + " got no answer in time; retrying");
            }
        }
    }

    /** The JetStream API error code somewhere in {@code failure}'s causes (jnats wraps it), or -1. */
    private static int apiErrorCode(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof JetStreamApiException api) {
                return api.getApiErrorCode();
            }
        }
        return -1;
    }

    /**
     * Takes free partitions up to {@code target}: the leases at once, then starts them all at once, since each
     * start re-creates a consumer (tens of ms) and a dead instance's share should move as one. Instances taking
     * at the same moment (the survivors of a dead one) would mostly collide on the same free partitions; so each
     * first tries its own slice of them (every n-th, by its rank among the live members), then any other.
     */
    private void acquire(int target, Set<String> live) throws IOException, InterruptedException {
        Map<Integer, KeyValueEntry> taken = readLeases();
        List<Integer> mine = new ArrayList<>();
        List<Integer> rest = new ArrayList<>();
        List<String> ranked = live.stream().sorted().toList();
        int rank = ranked.indexOf(id);
        int n = 0;
        for (int p = 0; p < partitions; p++) {
            if (!owned.containsKey(p) && !taken.containsKey(p)) {
                (n++ % ranked.size() == rank ? mine : rest).add(p);
            }
        }
        Collections.shuffle(rest);
        mine.addAll(rest);
        List<Integer> candidates = mine.subList(0, Math.min(mine.size(), Math.max(0, target - owned.size())));
        List<Callable<Long>> creates = new ArrayList<>();
        for (int p : candidates) {
            creates.add(() -> {
                try {
                    return leases.create(key(p), idBytes);
                } catch (JetStreamApiException e) {
                    if (e.getApiErrorCode() != NatsClients.WRONG_LAST_SEQUENCE) {
                        throw e;
                    }
                    return null; // someone else was quicker
                }
            });
        }
        List<Long> revisions = inParallel(creates);
        List<Integer> fresh = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            if (revisions.get(i) != null && running) {
                owned.put(candidates.get(i), revisions.get(i));
                fresh.add(candidates.get(i));
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        Collections.sort(fresh);
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
            announceFreed();
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
        liveness.close();
        if (nudges != null) {
            nc.closeDispatcher(nudges);
        }
    }
}
