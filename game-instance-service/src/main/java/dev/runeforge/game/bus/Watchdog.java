package dev.runeforge.game.bus;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * Halts a game instance that holds partitions but no longer answers them. Every wait of an action on the bus has
 * a timeout, so an action ends within seconds, answered or failed. What is watched (each {@link Check} with its
 * own limit): actions left in the inbox, no mailbox ending a step while some have work (the whole action path
 * stalled: a deadlock, starved carriers), and one mailbox on one step for much longer than any chain of bus
 * timeouts. Not one action that took long: under overload one action may wait out several bus timeouts in a row
 * (loading its session, the append, a retry), and halting the only instance for that turned an overload into an
 * outage (measured: an action on one mailbox for 15.4 s while thousands of others ended, at twice the capacity).
 * Its leases stay renewed meanwhile (they are renewed on threads of their own), so without this its players would
 * wait forever. The watchdog logs why, writes every thread's stack (virtual threads included) to the log, and
 * halts the process: the other instances take its partitions over at once (it stops answering their probes) and
 * rebuild its sessions from the log, and the supervisor (systemd, podman, Kubernetes) starts it again.
 */
public final class Watchdog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Watchdog.class.getName());
    /** The exit status of a halted instance (EX_SOFTWARE). */
    public static final int STUCK_EXIT = 70;
    private static final Duration EVERY = Duration.ofSeconds(1);

    /**
     * One thing watched: {@code stuckNanos} gives how long it has been stuck at a given System.nanoTime, and
     * {@code limit} is how long is too long.
     */
    public record Check(String name, LongUnaryOperator stuckNanos, Duration limit) {
        public Check {
            Objects.requireNonNull(name);
            Objects.requireNonNull(stuckNanos);
            Objects.requireNonNull(limit);
        }
    }

    private final List<Check> checks;
    private final Consumer<String> onStuck;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "action-watchdog");
        t.setDaemon(true);
        return t;
    });
    private boolean tripped;

    /**
     * @param checks  what is watched
     * @param onStuck called once, with the reason, when one of them is stuck for its limit
     */
    public Watchdog(List<Check> checks, Consumer<String> onStuck) {
        this.checks = List.copyOf(checks);
        this.onStuck = onStuck;
    }

    /** Checks every second from now on. */
    public Watchdog start() {
        ticks.scheduleWithFixedDelay(() -> check(System.nanoTime()), EVERY.toMillis(), EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** One check at {@code now}; returns whether it tripped (now or before). */
    synchronized boolean check(long now) {
        if (tripped) {
            return true;
        }
        for (Check c : checks) {
            long nanos = c.stuckNanos().applyAsLong(now);
            if (nanos >= c.limit().toNanos()) {
                tripped = true;
                onStuck.accept(c.name() + " stuck for " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms");
                return true;
            }
        }
        return false;
    }

    /** What a real instance does when stuck: say why, dump every thread into the log, halt. */
    public static void haltWithThreadDump(String reason) {
        LOG.severe("no progress on the action path (" + reason + "); dumping threads and halting so that another "
                + "instance takes the partitions over");
        try {
            LOG.severe("threads when stuck:\n" + threadDump());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "could not dump the threads", e);
        }
        Runtime.getRuntime().halt(STUCK_EXIT);
    }

    /** Every thread's stack, virtual threads included (what {@code jcmd <pid> Thread.dump_to_file} writes). */
    static String threadDump() throws IOException {
        Path dir = Files.createTempDirectory("rf-threads");
        Path dump = dir.resolve("threads.txt");
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            return Files.readString(dump);
        } finally {
            Files.deleteIfExists(dump);
            Files.deleteIfExists(dir);
        }
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }
}
