package dev.runeforge.game.bus;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
 * a timeout, so an action ends within seconds, answered or failed; one that has run (or a mailbox that has waited
 * to start, or an action that has waited in the inbox) for {@code limit} means something in this JVM is stuck.
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

    private final Map<String, LongUnaryOperator> stuck;
    private final long limitNanos;
    private final Consumer<String> onStuck;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "action-watchdog");
        t.setDaemon(true);
        return t;
    });
    private boolean tripped;

    /**
     * @param stuck   what is watched, by name: each gives how long it has been stuck at a given System.nanoTime
     * @param limit   how long is too long
     * @param onStuck called once, with the reason, when one of them is stuck for {@code limit}
     */
    public Watchdog(Map<String, LongUnaryOperator> stuck, Duration limit, Consumer<String> onStuck) {
        this.stuck = Map.copyOf(stuck);
        this.limitNanos = limit.toNanos();
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
        for (var e : stuck.entrySet()) {
            long nanos = e.getValue().applyAsLong(now);
            if (nanos >= limitNanos) {
                tripped = true;
                onStuck.accept(e.getKey() + " stuck for " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms");
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
