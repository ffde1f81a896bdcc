package dev.runeforge.platform.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.game.bus.SessionLog;
import dev.runeforge.common.bus.Commit;
import io.nats.client.Connection;

/**
 * Dice rooms rolling under failure: each room has a roller (one roll in flight, the next {@code pause} after the
 * last was accepted) and a watcher (who only receives), each on a {@link ChaosSocket} of its own. {@link #verify}
 * reads every room's event log and checks each accepted roll is in it exactly once, nothing is in it twice, and
 * every socket saw its events gap-free, each once, agreeing with the log.
 */
public final class RollingRooms implements AutoCloseable {
    /** One room: its roller and its watcher. */
    public record Room(ChaosSocket roller, ChaosSocket watcher) {
        public String session() {
            return roller.session();
        }

        public int partition() {
            return Partitions.of(roller.session(), ProcessPlatform.PARTITIONS);
        }
    }

    private final List<Room> rooms = new ArrayList<>();
    private final Duration pause;
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, Thread.ofPlatform()
            .daemon().name("chaos-timer-", 0).factory());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicBoolean rolling = new AtomicBoolean();
    /** What the last {@link #verify} read: each room's last seq, and the seqs of its roll events. */
    final Map<String, Long> logEnds = new java.util.concurrent.ConcurrentHashMap<>();
    final Map<String, java.util.Set<Long>> rollSeqs = new java.util.concurrent.ConcurrentHashMap<>();

    private RollingRooms(Duration pause) {
        this.pause = pause;
    }

    /**
     * Signs in {@code 2 * n} guests and opens {@code n} rooms through {@code platform}'s gateways (set-up runs a
     * few at a time, so a loaded box is not flooded).
     */
    public static RollingRooms open(ProcessPlatform platform, int n, Duration pause) throws Exception {
        RollingRooms r = new RollingRooms(pause);
        IntFunction<URI> gateways = platform::ws;
        try (ExecutorService setup = Executors.newFixedThreadPool(8)) {
            List<Future<Room>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(setup.submit((Callable<Room>) () -> {
                    ChaosSocket roller = new ChaosSocket(r.http, gateways, platform.guest("R" + index), "roller-" + index,
                            r.timer, index);
                    ChaosSocket watcher = new ChaosSocket(r.http, gateways, platform.guest("W" + index),
                            "watcher-" + index, r.timer, index + 1);
                    roller.connect();
                    String code = roller.create();
                    watcher.connect();
                    watcher.join(code);
                    return new Room(roller, watcher);
                }));
            }
            for (Future<Room> f : futures) {
                r.rooms.add(f.get(120, TimeUnit.SECONDS));
            }
        }
        return r;
    }

    public List<Room> rooms() {
        return rooms;
    }

    /** Every room rolls: one roll in flight each, the next {@code pause} (±20%) after one is accepted. */
    public void start() {
        rolling.set(true);
        for (Room room : rooms) {
            timer.schedule(() -> next(room), ThreadLocalRandom.current().nextLong(pause.toMillis()), TimeUnit.MILLISECONDS);
        }
    }

    private void next(Room room) {
        if (!rolling.get()) {
            return;
        }
        room.roller().roll(java.util.UUID.randomUUID().toString(), () -> {
            long jitter = pause.toMillis() / 5;
            timer.schedule(() -> next(room), pause.toMillis() - jitter
                    + ThreadLocalRandom.current().nextLong(2 * jitter + 1), TimeUnit.MILLISECONDS);
        });
    }

    /** Stops new rolls and waits (up to {@code limit}) for those in flight to be answered and sockets back. */
    public void stop(Duration limit) throws InterruptedException {
        rolling.set(false);
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline && rooms.stream().anyMatch(r -> r.roller().inFlight() != null
                || r.roller().resuming() || r.watcher().resuming())) {
            Thread.sleep(100);
        }
    }

    /** Every socket of every room. */
    public List<ChaosSocket> sockets() {
        List<ChaosSocket> all = new ArrayList<>();
        for (Room r : rooms) {
            all.add(r.roller());
            all.add(r.watcher());
        }
        return all;
    }

    /** What {@link #verify} found. */
    public record Verdict(int rooms, int accepted, int logged, int lost, int doubled, int holes, int duplicates,
                          int mismatches, int unanswered, int resumed, int rejoined, List<String> problems) {
        public boolean clean() {
            return lost == 0 && doubled == 0 && holes == 0 && duplicates == 0 && mismatches == 0 && unanswered == 0
                    && problems.isEmpty();
        }

        @Override
        public String toString() {
            return String.format("rooms %d, rolls accepted %d (in the logs: %d), lost %d, doubled %d, unanswered %d; "
                            + "sockets: holes %d, duplicates %d, disagreeing with the log %d, resumed %d, rejoined %d%s",
                    rooms, accepted, logged, lost, doubled, unanswered, holes, duplicates, mismatches, resumed, rejoined,
                    problems.isEmpty() ? "" : "; problems (first 20): " + problems.subList(0, Math.min(20, problems.size())));
        }
    }

    /**
     * Reads each room's log (game-instance's {@link SessionLog#read}) and compares: each accepted roll exactly
     * once, no action twice, every socket's events gap-free and once, and each roll a socket saw at the seq the
     * log has it.
     */
    public Verdict verify(Connection nc, Subjects subjects) throws Exception {
        SessionLog log = new SessionLog(nc, subjects);
        int accepted = 0;
        int logged = 0;
        int lost = 0;
        int doubled = 0;
        int mismatches = 0;
        int unanswered = 0;
        List<String> problems = new ArrayList<>();
        for (Room room : rooms) {
            Map<String, Integer> times = new HashMap<>();
            Map<Long, String> rollAt = new HashMap<>();
            long expected = 1;
            for (SessionLog.Stored stored : log.read(room.session(), 1)) {
                Commit c = stored.commit();
                if (c.firstSeq() != expected) {
                    problems.add(room.session() + ": the log jumps from " + (expected - 1) + " to " + c.firstSeq());
                }
                expected = c.lastSeq() + 1;
                times.merge(c.actionId(), 1, Integer::sum);
                for (int i = 0; i < c.events().size(); i++) {
                    String action = c.events().get(i).path("roll").path("action").asText("");
                    if (!action.isEmpty()) {
                        rollAt.put(c.firstSeq() + i, action);
                    }
                }
            }
            logEnds.put(room.session(), expected - 1);
            rollSeqs.put(room.session(), java.util.Set.copyOf(rollAt.keySet()));
            for (var e : times.entrySet()) {
                if (e.getValue() > 1) {
                    doubled++;
                    problems.add(room.session() + ": " + e.getKey() + " " + e.getValue() + " times in the log");
                }
            }
            String prefix = room.roller().player() + ":";
            logged += rollAt.size();
            for (ChaosSocket.Sent s : room.roller().sent().values()) {
                if (s.answeredNanos == 0) {
                    unanswered++;
                    problems.add(room.roller().name + ": roll " + s.id + " never answered ("
                            + (times.containsKey(prefix + s.id) ? "in the log" : "not in the log") + ")");
                    continue;
                }
                accepted++;
                if (!times.containsKey(prefix + s.id)) {
                    lost++;
                    problems.add(room.roller().name + ": accepted roll " + s.id + " is not in the log");
                }
            }
            for (ChaosSocket socket : List.of(room.roller(), room.watcher())) {
                for (var seen : socket.rollsSeen().entrySet()) {
                    if (!seen.getValue().equals(rollAt.get(seen.getKey()))) {
                        mismatches++;
                        problems.add(socket.name + ": seq " + seen.getKey() + " was " + seen.getValue() + ", the log says "
                                + rollAt.get(seen.getKey()));
                    }
                }
                if (socket.lastSeq() != expected - 1) {
                    problems.add(socket.name + ": ends at seq " + socket.lastSeq() + ", the log at " + (expected - 1));
                }
                problems.addAll(socket.problems);
            }
        }
        int holes = sockets().stream().mapToInt(ChaosSocket::holes).sum();
        int duplicates = sockets().stream().mapToInt(ChaosSocket::duplicates).sum();
        int resumed = sockets().stream().mapToInt(ChaosSocket::resumedCount).sum();
        int rejoined = sockets().stream().mapToInt(ChaosSocket::rejoinedCount).sum();
        return new Verdict(rooms.size(), accepted, logged, lost, doubled, holes, duplicates, mismatches, unanswered,
                resumed, rejoined, problems);
    }

    /** Rolls sent before {@code atNanos} and answered after it: their answer times after that instant, in ms. */
    public List<Long> answeredAfter(long atNanos, java.util.function.Predicate<Room> which) {
        List<Long> ms = new ArrayList<>();
        for (Room room : rooms) {
            if (!which.test(room)) {
                continue;
            }
            for (ChaosSocket.Sent s : room.roller().sent().values()) {
                if (s.sentNanos < atNanos && (s.answeredNanos == 0 || s.answeredNanos > atNanos)) {
                    ms.add(s.answeredNanos == 0 ? Long.MAX_VALUE : (s.answeredNanos - atNanos) / 1_000_000);
                }
            }
        }
        ms.sort(null);
        return ms;
    }

    /** For each room {@code which} picks: the first roll accepted after {@code atNanos}, in ms after it. */
    public List<Long> firstAcceptedAfter(long atNanos, java.util.function.Predicate<Room> which) {
        List<Long> ms = new ArrayList<>();
        for (Room room : rooms) {
            if (!which.test(room)) {
                continue;
            }
            room.roller().sent().values().stream().mapToLong(s -> s.answeredNanos).filter(t -> t > atNanos).min()
                    .ifPresent(t -> ms.add((t - atNanos) / 1_000_000));
        }
        ms.sort(null);
        return ms;
    }

    /**
     * Waits until every room {@code which} picks has had a roll accepted after {@code atNanos} (play goes on there),
     * at most {@code limit}; returns how many of them have not (0 when all have).
     */
    public long awaitRolledAgain(long atNanos, java.util.function.Predicate<Room> which, Duration limit)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long picked = rooms.stream().filter(which).count();
        while (true) {
            long missing = picked - firstAcceptedAfter(atNanos, which).size();
            if (missing == 0 || System.nanoTime() > deadline) {
                return missing;
            }
            Thread.sleep(100);
        }
    }

    /** Latency (first send to answer, ms, sorted) of the rolls {@code which} rooms sent in [from, to). */
    public List<Long> sentBetween(long fromNanos, long toNanos, java.util.function.Predicate<Room> which) {
        List<Long> ms = new ArrayList<>();
        for (Room room : rooms) {
            if (!which.test(room)) {
                continue;
            }
            for (ChaosSocket.Sent s : room.roller().sent().values()) {
                if (s.sentNanos >= fromNanos && s.sentNanos < toNanos) {
                    ms.add(s.answeredNanos == 0 ? Long.MAX_VALUE : (s.answeredNanos - s.sentNanos) / 1_000_000);
                }
            }
        }
        ms.sort(null);
        return ms;
    }

    /** Every answered roll's latency (first send to answer), in ms, sorted. */
    public List<Long> latencies() {
        List<Long> ms = new ArrayList<>();
        for (Room room : rooms) {
            for (ChaosSocket.Sent s : room.roller().sent().values()) {
                if (s.answeredNanos != 0) {
                    ms.add((s.answeredNanos - s.sentNanos) / 1_000_000);
                }
            }
        }
        ms.sort(null);
        return ms;
    }

    /** n, p50, p90, p99, max of sorted values in ms ({@code Long.MAX_VALUE} = never). */
    public static String distribution(List<Long> sorted) {
        if (sorted.isEmpty()) {
            return "n=0";
        }
        java.util.function.LongFunction<String> f = v -> v == Long.MAX_VALUE ? "never" : v + " ms";
        return String.format("n=%d p50=%s p90=%s p99=%s max=%s", sorted.size(), f.apply(sorted.get(sorted.size() / 2)),
                f.apply(sorted.get((int) (sorted.size() * 0.9))), f.apply(sorted.get((int) (sorted.size() * 0.99))),
                f.apply(sorted.getLast()));
    }

    @Override
    public void close() {
        rolling.set(false);
        sockets().forEach(ChaosSocket::close);
        timer.shutdownNow();
    }
}
