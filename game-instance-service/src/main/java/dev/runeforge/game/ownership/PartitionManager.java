package dev.runeforge.game.ownership;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.game.ownership.LeaseTable.Lease;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.StorageType;
import io.nats.client.impl.NatsKeyValueWatchSubscription;

/**
 * Which instance takes which partition's actions. What costs bus traffic grows with instances, not partitions:
 *
 * <ul>
 * <li><b>Members</b> ({@code <ns>-members}, key = instance id): each instance keeps its entry alive with one
 *     compare-and-set every ttl/4; the bucket's max age ({@code game.lease.ttl}, default 10 s) removes the entry
 *     of an instance that stopped doing so (hung, cut off).</li>
 * <li><b>Leases</b> ({@code <ns>-leases}, key {@code p<n>} = owner id): taken with create-if-absent, given back by
 *     compare-and-delete, never renewed. A lease counts only while its owner is a member.</li>
 * <li>Every instance <b>watches</b> both buckets (one long-lived watch each, instead of listing them), so it knows
 *     the members and the lease table without asking, and notices at once when a lease of its own was taken. The
 *     tables follow the watches; what a read of the bucket teaches goes in only where the watch has brought
 *     nothing newer meanwhile (a stale owner or a dead member put back would keep a free partition unowned).</li>
 * <li>A <b>dead</b> instance is detected, not waited for: each instance probes its successor (by id) every
 *     {@code game.probe.every} (1 s), and every member at once when a gateway reports a partition nobody answers
 *     ({@code <ns>.game.suspect}). "No responders" twice ({@link Liveness}) means its process is gone: its member
 *     entry and leases are deleted (compare-and-delete: only what it still held) and everyone balances at once
 *     ({@code <ns>.game.rebalance}). A member whose entry the watch has not seen renewed for a ttl is looked up,
 *     and reaped the same way once the bucket has dropped it and it does not answer a probe (the fallback for a
 *     hung instance).</li>
 * </ul>
 *
 * <p>A lease only decides who takes a partition's actions; it does not protect the log: a stale owner that still
 * writes is stopped by the fenced append. So losing a lease stops the partition's work at once, without a snapshot.
 * An instance whose own member entry was reaped or lapsed (its heartbeat's compare-and-set fails) joins again and
 * keeps only the leases its lease watch still shows as its own ({@link #rejoin}).
 */
public final class PartitionManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PartitionManager.class.getName());

    /** Starts and stops work on partitions. */
    public interface Host {
        /** Starts taking the actions of {@code partitions} (just leased) and tells the gateways. */
        void start(List<Integer> partitions) throws Exception;

        /** Graceful: stop taking actions, finish those in hand, snapshot, forget. */
        void release(int partition);

        /** The lease was lost: stop at once and forget, without writing anything. */
        void abandon(int partition);
    }

    /**
     * @param ttl        how long a member entry outlives its last heartbeat ({@code game.lease.ttl})
     * @param probeEvery how often the successor is probed ({@code game.probe.every})
     * @param tick       how often the balancer looks, without bus traffic unless it acts
     */
    public record Settings(Duration ttl, Duration probeEvery, Duration tick, Duration probeGrace) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofMillis(250), Duration.ofSeconds(1));

        /** With the default probe grace ({@code game.probe.grace}, 1 s). */
        public Settings(Duration ttl, Duration probeEvery, Duration tick) {
            this(ttl, probeEvery, tick, Duration.ofSeconds(1));
        }
    }

    private record Member(long revision, long seenNanos) {
    }

    private final String id;
    private final byte[] idBytes;
    private final int partitions;
    private final Settings settings;
    private final Host host;
    private final Connection nc;
    private final Subjects subjects;
    private final KeyValue leases;
    private final KeyValue members;
    private final Liveness liveness;
    /** partition -> revision of our lease entry */
    private final Map<Integer, Long> owned = new ConcurrentSkipListMap<>();
    /** Partitions whose lease create is on its way (their watch event may come before the answer). */
    private final Set<Integer> acquiring = ConcurrentHashMap.newKeySet();
    /** What the lease watch has seen: partition -> lease. */
    private final LeaseTable leaseTable = new LeaseTable();
    /**
     * The revision of each member's latest delete the watch brought: a read of the bucket older than it must not
     * put the member back into the table.
     */
    private final Map<String, Long> memberDeletedAt = new ConcurrentHashMap<>();
    /** How long a partition may have no live owner before {@link #noteOwnerless} says so. */
    private static final Duration OWNERLESS_SAID = Duration.ofSeconds(3);
    /** Balancer thread only: since when each partition has had no live owner, and which of them were said. */
    private final Map<Integer, Long> ownerlessSince = new HashMap<>();
    private final Set<Integer> ownerlessSaid = new HashSet<>();
    /** What the member watch has seen: instance -> its entry's revision and when we saw it written. */
    private final Map<String, Member> memberTable = new ConcurrentHashMap<>();
    private final Counter acquired;
    private final Counter lost;
    private final Counter reaped;
    private final Timer startTime;
    private final Semaphore wake = new Semaphore(0);
    private final Semaphore beatNow = new Semaphore(0);
    private volatile boolean suspected;
    private volatile boolean running = true;
    private volatile long memberRevision = -1;
    private final List<NatsKeyValueWatchSubscription> watches = new ArrayList<>();
    private Dispatcher nudges;
    private Thread heart;
    private Thread balancer;

    public PartitionManager(Connection nc, Subjects subjects, String instanceId, int partitions, Settings settings,
                            int replicas, Host host, MeterRegistry metrics) throws IOException, JetStreamApiException {
        if (!instanceId.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("game.instance must be 1-64 letters, digits, '-' or '_': " + instanceId);
        }
        this.id = instanceId;
        this.nc = nc;
        this.subjects = subjects;
        this.idBytes = instanceId.getBytes(StandardCharsets.UTF_8);
        this.partitions = partitions;
        this.settings = settings;
        this.host = host;
        // File storage: ownership survives a NATS restart (writes are rare now: a heartbeat per instance, a lease
        // per move). Leases never expire on their own; members do, after the ttl.
        this.leases = NatsClients.ensureBucket(nc, KeyValueConfiguration.builder().name(subjects.namespace() + "-leases")
                .storageType(StorageType.File).maxHistoryPerKey(1).replicas(replicas).build());
        this.members = NatsClients.ensureBucket(nc, KeyValueConfiguration.builder().name(subjects.namespace() + "-members")
                .storageType(StorageType.File).maxHistoryPerKey(1).ttl(settings.ttl()).replicas(replicas).build());
        this.liveness = new Liveness(nc, subjects, Duration.ofMillis(250), settings.probeGrace());
        Gauge.builder("rf_game_partitions_owned", owned, Map::size).description("Partitions this instance owns")
                .register(metrics);
        acquired = Counter.builder("rf_game_partitions_acquired_total")
                .description("Partition leases taken (takeovers and hand-offs)").register(metrics);
        lost = Counter.builder("rf_game_partitions_lost_total")
                .description("Partition leases lost without a release (taken by another, or this instance lapsed)")
                .register(metrics);
        startTime = Timer.builder("rf_game_takeover_duration_seconds")
                .description("From lease taken to the partition's actions flowing again").register(metrics);
        reaped = Counter.builder("rf_game_instances_reaped_total")
                .description("Dead instances (NATS connection gone) whose leases this instance freed").register(metrics);
    }

    /** Joins: answers probes, announces itself, learns the tables, then keeps its entry alive and balances. */
    public void start() throws IOException, JetStreamApiException, TimeoutException, InterruptedException {
        liveness.answerFor(id); // before we announce ourselves, so nobody takes us for dead
        memberRevision = members.put(id, idBytes);
        CountDownLatch ready = watch();
        if (!ready.await(10, TimeUnit.SECONDS)) {
            throw new TimeoutException("the ownership buckets did not answer within 10 s");
        }
        nc.addConnectionListener(reconnects);
        nudges = nc.createDispatcher();
        nudges.subscribe(subjects.rebalance(), msg -> wake.release());
        nudges.subscribe(subjects.ownerSuspect(), msg -> {
            suspected = true;
            wake.release();
        });
        long beat = Math.max(50, settings.ttl().toMillis() / 4);
        heart = Thread.ofPlatform().name("member-heartbeat").daemon().priority(Thread.MAX_PRIORITY).start(() -> {
            while (running) {
                try {
                    if (beatNow.tryAcquire(beat, TimeUnit.MILLISECONDS)) {
                        beatNow.drainPermits();
                    }
                    if (running) {
                        heartbeat();
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // jnats refuses a publish when its outgoing queue stays full ("Output queue is busy"): measured at
                    // load 20, it ended this thread, and with it the instance's membership. Beat again next time.
                    LOG.log(Level.WARNING, id + ": heartbeat failed; retrying", e);
                }
            }
        });
        balancer = Thread.ofPlatform().name("partition-balancer").daemon().start(this::balanceLoop);
    }

    /** Opens the two watches; the latch opens when both have delivered what the buckets held. */
    private synchronized CountDownLatch watch() throws IOException, JetStreamApiException, InterruptedException {
        CountDownLatch ready = new CountDownLatch(2);
        watches.add(leases.watchAll(watcher(this::leaseChanged, ready)));
        watches.add(members.watchAll(watcher(this::memberChanged, ready)));
        return ready;
    }

    /**
     * After NATS comes back (a restart of the server, or a move to another server of the cluster), the watches'
     * ordered consumers may be gone with it, and jnats did not notice: measured with a single nats-server killed
     * and restarted under load (BusAndDatabaseChaosIT), an instance's lease table stayed as it was before, it never
     * took the partitions freed meanwhile, and their rooms were unanswered until it was killed. So: open the
     * watches anew (they deliver every current entry and delete marker again, which the tables take as they come),
     * check our member entry at once, and balance.
     */
    private final ConnectionListener reconnects = this::connectionEvent;

    private void connectionEvent(Connection conn, ConnectionListener.Events event) {
        if (event == ConnectionListener.Events.RECONNECTED) {
            liveness.reconnected();
        }
        if (event == ConnectionListener.Events.RESUBSCRIBED && running) {
            Thread.ofVirtual().name("ownership-rewatch").start(this::rewatch);
        }
    }

    private void rewatch() {
        for (int attempt = 0; running; attempt++) {
            try {
                synchronized (this) {
                    for (NatsKeyValueWatchSubscription w : watches) {
                        try {
                            w.unsubscribe();
                        } catch (RuntimeException e) {
                            LOG.log(Level.FINE, "closing a watch failed", e);
                        }
                    }
                    watches.clear();
                }
                if (watch().await(10, TimeUnit.SECONDS)) {
                    LOG.info(() -> id + ": NATS reconnected; ownership watches reopened");
                    beatNow.release();
                    wake.release();
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.log(Level.WARNING, id + ": reopening the ownership watches failed; retrying", e);
            }
            sleepQuietly(Math.min(2_000, 250L << Math.min(attempt, 3)));
        }
    }

    private static KeyValueWatcher watcher(java.util.function.Consumer<KeyValueEntry> onEntry, CountDownLatch ready) {
        return new KeyValueWatcher() {
            @Override
            public void watch(KeyValueEntry entry) {
                onEntry.accept(entry);
            }

            @Override
            public void endOfData() {
                ready.countDown();
            }
        };
    }

    public int ownedCount() {
        return owned.size();
    }

    private void leaseChanged(KeyValueEntry entry) {
        int p;
        try {
            p = Integer.parseInt(entry.getKey().substring(1));
        } catch (NumberFormatException e) {
            return;
        }
        boolean gone = entry.getOperation() != KeyValueOperation.PUT || entry.getValue() == null;
        if (gone) {
            leaseTable.watched(p, null, entry.getRevision());
        } else {
            leaseTable.watched(p, entry.getValueAsString(), entry.getRevision());
        }
        Long mine = owned.get(p);
        if (mine != null && (gone || !id.equals(entry.getValueAsString())) && entry.getRevision() > mine) {
            if (owned.remove(p, mine)) {
                lost.increment();
                LOG.warning(() -> id + ": lease on partition " + p + " was " + (gone ? "deleted" : "taken") + "; stopping it");
                Thread.ofVirtual().name("abandon-" + p).start(() -> host.abandon(p));
            }
        }
        if (gone) {
            wake.release(); // a free partition: someone below target may take it now
        }
    }

    private void memberChanged(KeyValueEntry entry) {
        if (entry.getOperation() != KeyValueOperation.PUT || entry.getValue() == null) {
            memberDeletedAt.merge(entry.getKey(), entry.getRevision(), Math::max);
            memberTable.remove(entry.getKey());
            if (id.equals(entry.getKey())) {
                beatNow.release(); // we were reaped or left: the heartbeat finds out and starts over
            }
            wake.release();
        } else {
            Member before = memberTable.put(entry.getKey(), new Member(entry.getRevision(), System.nanoTime()));
            if (before == null) {
                wake.release(); // a newcomer: the shares change
            }
        }
    }

    /**
     * Keeps our member entry alive (compare-and-set on its revision). When that fails, someone reaped us, or the
     * entry lapsed while we could not reach NATS: every lease we hold is forfeit. Abandon them, join again.
     */
    private void heartbeat() {
        long revision = memberRevision;
        try {
            memberRevision = members.update(id, idBytes, revision);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != NatsClients.WRONG_LAST_SEQUENCE) {
                LOG.log(Level.WARNING, id + ": heartbeat failed; retrying", e);
                return;
            }
            // Reapers delete, they never write: an entry that still holds our id is our own earlier heartbeat,
            // stored although its answer timed out here (a busy machine). Carry on from it.
            try {
                KeyValueEntry now = members.get(id);
                if (now != null && now.getValue() != null && id.equals(now.getValueAsString())) {
                    memberRevision = now.getRevision();
                    return;
                }
            } catch (IOException | JetStreamApiException lookup) {
                LOG.log(Level.FINE, id + ": could not read our member entry; retrying", lookup);
                return;
            }
            rejoin();
        } catch (IOException e) {
            LOG.log(Level.FINE, id + ": heartbeat got no answer; retrying", e);
        }
    }

    /**
     * Our member entry was reaped, or it lapsed while the members bucket could not be written (a NATS node or
     * cluster election stalled it past the ttl). Join again first, then keep each lease the lease watch still shows
     * as ours at the revision we took it, or nothing newer than it yet ({@link LeaseTable#stillHeld}: nobody
     * reaped it; a reaper deletes the leases of whom it reaps, and the watch brings those deletes), and abandon the
     * rest.
     *
     * <p>The watch decides, not a read of the bucket: a KV read is a JetStream "direct get", which any replica of
     * the bucket may answer, and a replica that has just restarted answers from a store still catching up
     * (measured with a node of a 3-node cluster killed and restarted under load: a third of the reads said "not
     * yours", and a live instance gave up 10 of its 32 partitions and took them straight back). The watch is the
     * stream leader's ordered delivery. Kept wrongly, a lease is stopped by the watch's delete or new owner when it
     * arrives, and the fenced append stops anything written meanwhile.
     */
    private void rejoin() {
        try {
            memberRevision = members.put(id, idBytes);
        } catch (IOException | JetStreamApiException e) {
            LOG.log(Level.WARNING, id + ": our member entry was reaped or lapsed, and joining again failed; retrying", e);
            return;
        }
        int kept = 0;
        int abandoned = 0;
        for (var lease : List.copyOf(owned.entrySet())) {
            int p = lease.getKey();
            if (leaseTable.stillHeld(p, id, lease.getValue())) {
                kept++;
            } else if (owned.remove(p, lease.getValue())) {
                abandoned++;
                lost.increment();
                host.abandon(p);
            }
        }
        int k = kept;
        int a = abandoned;
        LOG.warning(() -> id + ": our member entry was reaped or lapsed; joined again, kept " + k
                + " partitions whose leases are still ours, abandoned " + a);
        wake.release();
    }

    private void balanceLoop() {
        // Let instances starting together see each other before anyone takes partitions.
        sleepQuietly(Math.min(settings.ttl().toMillis(), 500));
        long nextProbe = 0;
        while (running) {
            try {
                boolean probeAll = suspected;
                suspected = false;
                boolean routine = System.nanoTime() >= nextProbe;
                if (routine) {
                    nextProbe = System.nanoTime() + settings.probeEvery().toNanos();
                }
                reapTheDead(probeAll, routine);
                balance();
                wake.tryAcquire(settings.tick().toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.log(Level.WARNING, "partition ownership step failed", e);
                sleepQuietly(settings.tick().toMillis());
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

    /**
     * Finds dead members: by probe (the successor on a routine tick, everyone when a gateway suspects someone) and
     * by silence (an entry the watch has not seen renewed for a ttl, which the bucket no longer holds).
     */
    private void reapTheDead(boolean probeAll, boolean routine) throws IOException, JetStreamApiException, InterruptedException {
        Set<String> others = new HashSet<>(memberTable.keySet());
        others.remove(id);
        // Owners of leases who are no members at all (a crash before our time, an expired entry) are gone, once the
        // bucket confirms it: the two watches are not ordered with each other, so a newcomer's lease may show
        // before its member entry does.
        Set<String> silent = new HashSet<>();
        for (Lease lease : leaseTable.values()) {
            String owner = lease.owner();
            if (!owner.equals(id) && !memberTable.containsKey(owner) && !silent.contains(owner)) {
                KeyValueEntry entry = members.get(owner);
                if (entry == null || entry.getValue() == null) {
                    silent.add(owner);
                } else if (entry.getRevision() > memberDeletedAt.getOrDefault(owner, 0L)) {
                    // Not if the watch brought its delete meanwhile: that would bring a dead member back to life here.
                    memberTable.putIfAbsent(owner, new Member(entry.getRevision(), System.nanoTime()));
                }
            }
        }
        Set<String> gone = new HashSet<>();
        if (probeAll) {
            gone.addAll(liveness.gone(others));
        } else if (routine) {
            String next = Liveness.successor(id, others);
            if (next != null) {
                gone.addAll(liveness.gone(Set.of(next)));
            }
        }
        long silentFor = settings.ttl().toNanos() + TimeUnit.MILLISECONDS.toNanos(500);
        for (var m : memberTable.entrySet()) {
            if (!m.getKey().equals(id) && !gone.contains(m.getKey()) && System.nanoTime() - m.getValue().seenNanos() > silentFor) {
                KeyValueEntry entry = members.get(m.getKey());
                if (entry == null || entry.getValue() == null) {
                    silent.add(m.getKey());
                } else {
                    memberTable.replace(m.getKey(), m.getValue(), new Member(entry.getRevision(), System.nanoTime()));
                }
            }
        }
        // An entry that lapsed is no proof of death: while a NATS cluster elects a new leader for the members
        // bucket nobody can renew, and every entry may lapse at once (measured: a node killed at load 15 stalled
        // the bucket ~10 s, past the ttl, and every partition moved). An instance that answers its probe is alive
        // and joins again by itself (heartbeat); only the silent ones are reaped.
        silent.removeAll(gone);
        silent.removeAll(liveness.answering(silent));
        gone.addAll(silent);
        for (String member : gone) {
            reap(member);
        }
    }

    /** Frees what a gone instance held: its leases (only those still its own) and its member entry. */
    private void reap(String member) throws IOException, JetStreamApiException, InterruptedException {
        long start = System.nanoTime();
        List<Callable<Boolean>> deletes = new ArrayList<>();
        leaseTable.forEach((p, lease) -> {
            if (member.equals(lease.owner())) {
                deletes.add(() -> deleteIfUnchanged(leases, key(p), lease.revision()) || freeIfStillHeld(p, member));
            }
        });
        long freed = inParallel(deletes).stream().filter(Boolean.TRUE::equals).count();
        Member entry = memberTable.get(member);
        if (entry == null || !deleteIfUnchanged(members, member, entry.revision())) {
            deleteMemberAsItIsNow(member);
        }
        memberTable.remove(member);
        reaped.increment();
        if (freed > 0) {
            nc.publish(subjects.rebalance(), new byte[0]);
        }
        LOG.warning(() -> id + ": " + member + " is gone; freed " + freed + " of its leases in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    /**
     * A compare-and-delete of a gone member's entry failed (our table was behind the bucket: its last heartbeat
     * was stored but not yet seen here) or we had no entry for it: delete what the bucket holds for it now. Left
     * there, the entry would make it look alive to anyone who looks it up (the owner of a lease left in a table),
     * and its partitions would wait for the entry to age out (measured once: one partition 12 s without an owner).
     */
    private void deleteMemberAsItIsNow(String member) throws IOException, JetStreamApiException {
        KeyValueEntry now = members.get(member);
        if (now != null && now.getValue() != null && now.getOperation() == KeyValueOperation.PUT
                && member.equals(now.getValueAsString())) {
            deleteIfUnchanged(members, member, now.getRevision());
        }
    }

    /**
     * A compare-and-delete of a gone member's lease failed: our table was behind the bucket. Reads the lease and
     * frees it if the gone member still holds it (at the revision it has now), so a stale table cannot leave a
     * partition held by the dead for good; otherwise puts the table right, but only where the watch has brought
     * nothing newer meanwhile: the read may be older than the watch's latest, and a stale owner written over a
     * fresh delete would keep everyone off a free partition until its key changed again (measured once: one
     * partition without an owner for 12 s, until the killed instance's replacement took it).
     *
     * <p>A read saying the lease is gone changes nothing here: the change that made the compare-and-delete fail is
     * on its way in the watch, which frees the entry when it comes. The read may be wrong: a KV read is a
     * JetStream direct get that any replica answers, and on nats-server before 2.9.17 a replica that has just
     * restarted answers from a store still catching up (nats-server#4162). Taken as "free", such a read would empty
     * the entry of a lease the dead still hold; no later change of the key would correct it, and every create
     * would fail on the key that is there: the partition would stay without an owner.
     */
    private boolean freeIfStillHeld(int p, String member) throws IOException, JetStreamApiException {
        Lease seen = leaseTable.get(p);
        KeyValueEntry now = leases.get(key(p));
        if (now == null || now.getValue() == null || now.getOperation() != KeyValueOperation.PUT) {
            return true;
        }
        if (member.equals(now.getValueAsString())) {
            return deleteIfUnchanged(leases, key(p), now.getRevision());
        }
        leaseTable.learned(p, seen, now.getValueAsString(), now.getRevision());
        return false;
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

    private synchronized void balance() throws IOException, InterruptedException {
        if (!running) {
            return;
        }
        giveBackUnclaimed();
        Map<String, Integer> live = new HashMap<>();
        for (String m : memberTable.keySet()) {
            live.put(m, 0);
        }
        live.put(id, owned.size());
        leaseTable.forEach((p, lease) -> {
            if (!lease.owner().equals(id) && live.containsKey(lease.owner())) {
                live.merge(lease.owner(), 1, Integer::sum);
            }
        });
        Balance.Plan plan = Balance.plan(id, live, partitions);
        noteOwnerless(live.keySet(), plan);
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
     * Says (once each) partitions that nobody live has held for {@link #OWNERLESS_SAID} although a takeover takes
     * one or two ticks: with what this instance believes (the lease, the members, its own plan), so that a stuck
     * takeover can be told from the log alone.
     */
    private void noteOwnerless(Set<String> live, Balance.Plan plan) {
        long now = System.nanoTime();
        for (int p = 0; p < partitions; p++) {
            Lease lease = leaseTable.get(p);
            if (owned.containsKey(p) || (lease != null && live.contains(lease.owner()))) {
                ownerlessSince.remove(p);
                ownerlessSaid.remove(p);
                continue;
            }
            long since = ownerlessSince.computeIfAbsent(p, k -> now);
            if (now - since > OWNERLESS_SAID.toNanos() && ownerlessSaid.add(p)) {
                int partition = p;
                LOG.warning(() -> id + ": partition " + partition + " has had no live owner for "
                        + (now - since) / 1_000_000 + " ms; its lease here: " + lease + "; members here: " + live
                        + "; own plan: " + plan + " holding " + owned.size());
            }
        }
    }

    /**
     * Leases that hold our id although we do not work on them: a create whose answer timed out here, or one that
     * failed beside others. Nobody else would take them (they look held by a live member), so give them back.
     */
    private void giveBackUnclaimed() {
        leaseTable.forEach((p, lease) -> {
            if (lease.owner().equals(id) && !owned.containsKey(p) && !acquiring.contains(p)) {
                try {
                    if (!deleteIfUnchanged(leases, key(p), lease.revision())) {
                        freeIfStillHeld(p, id); // our table was behind: read the lease, free it or learn its owner
                    }
                } catch (IOException | JetStreamApiException e) {
                    LOG.log(Level.FINE, "lease " + p + " could not be given back; the next look tries again", e);
                }
            }
        });
    }

    /**
     * Takes free partitions up to {@code target}: the leases at once, then starts them together (one subscription
     * flush and one announcement). Instances taking at the same moment (the survivors of a dead one) would mostly
     * collide on the same free partitions, so each first tries its own slice of them (every n-th, by its rank
     * among the live members), then any other.
     */
    private void acquire(int target, Set<String> live) throws IOException, InterruptedException {
        List<Integer> mine = new ArrayList<>();
        List<Integer> rest = new ArrayList<>();
        List<String> ranked = live.stream().sorted().toList();
        int rank = ranked.indexOf(id);
        int n = 0;
        for (int p = 0; p < partitions; p++) {
            Lease lease = leaseTable.get(p);
            if (!owned.containsKey(p) && (lease == null || !live.contains(lease.owner()))) {
                (n++ % ranked.size() == rank ? mine : rest).add(p);
            }
        }
        Collections.shuffle(rest);
        mine.addAll(rest);
        List<Integer> candidates = mine.subList(0, Math.min(mine.size(), Math.max(0, target - owned.size())));
        if (candidates.isEmpty()) {
            return;
        }
        List<Callable<Long>> creates = new ArrayList<>();
        for (int p : candidates) {
            Lease stale = leaseTable.get(p);
            creates.add(() -> {
                try {
                    if (stale != null && !deleteIfUnchanged(leases, key(p), stale.revision())) {
                        return null; // someone else freed or took it first
                    }
                    return leases.create(key(p), idBytes);
                } catch (JetStreamApiException e) {
                    if (e.getApiErrorCode() != NatsClients.WRONG_LAST_SEQUENCE) {
                        throw e;
                    }
                    return null; // someone else was quicker
                }
            });
        }
        acquiring.addAll(candidates);
        List<Integer> fresh = new ArrayList<>();
        try {
            List<Long> revisions = inParallel(creates);
            for (int i = 0; i < candidates.size(); i++) {
                if (revisions.get(i) != null && running) {
                    owned.put(candidates.get(i), revisions.get(i));
                    fresh.add(candidates.get(i));
                }
            }
        } finally {
            acquiring.removeAll(candidates);
        }
        if (fresh.isEmpty()) {
            return;
        }
        Collections.sort(fresh);
        long start = System.nanoTime();
        try {
            host.start(fresh);
            acquired.increment(fresh.size());
            startTime.record(Duration.ofNanos(System.nanoTime() - start));
            LOG.info(() -> id + " took partitions " + fresh + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (Exception e) {
            LOG.log(Level.WARNING, "could not start partitions " + fresh + "; giving their leases back", e);
            for (int p : fresh) {
                Long revision = owned.remove(p);
                host.abandon(p);
                try {
                    if (revision != null) {
                        leases.delete(key(p), revision);
                    }
                } catch (IOException | JetStreamApiException ex) {
                    LOG.log(Level.FINE, "lease " + p + " could not be given back; a reaper frees it", ex);
                }
            }
        }
    }

    /** Gives partitions back, all at once: each finishes its actions in hand and snapshots, then the lease goes. */
    private void releaseAll(List<Integer> toRelease) throws InterruptedException {
        List<Thread> releasing = new ArrayList<>();
        for (int p : List.copyOf(toRelease)) {
            Long revision = owned.remove(p);
            if (revision == null) {
                continue;
            }
            releasing.add(Thread.ofVirtual().start(() -> {
                host.release(p);
                try {
                    leases.delete(key(p), revision);
                } catch (IOException | JetStreamApiException e) {
                    LOG.log(Level.FINE, "lease " + p + " was gone at release", e);
                }
            }));
        }
        for (Thread t : releasing) {
            t.join();
        }
        if (!releasing.isEmpty()) {
            nc.publish(subjects.rebalance(), new byte[0]);
            LOG.info(() -> id + " released " + releasing.size() + " partitions");
        }
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

    private static String key(int partition) {
        return "p" + partition;
    }

    /**
     * Drain: leaves the member list first (so the others count without us and take each partition the moment it
     * is free), then releases every partition at once (each finishes its actions in hand and snapshots).
     */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : new Thread[] {balancer, heart}) {
            if (t != null) {
                t.interrupt();
                t.join(5_000);
            }
        }
        try {
            members.delete(id);
        } catch (IOException | JetStreamApiException e) {
            LOG.log(Level.FINE, "leaving the member list failed", e);
        }
        synchronized (this) {
            releaseAll(new ArrayList<>(owned.keySet()));
        }
        nc.removeConnectionListener(reconnects);
        synchronized (this) {
            for (NatsKeyValueWatchSubscription w : watches) {
                w.unsubscribe();
            }
        }
        liveness.close();
        if (nudges != null) {
            nc.closeDispatcher(nudges);
        }
    }
}
