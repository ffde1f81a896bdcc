package dev.runeforge.common.service;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ordered graceful shutdown: steps run in the order added (stop taking work, finish in-flight work, drain NATS,
 * close pools), each one guarded so a failing step never skips the rest. Runs once, on SIGTERM/Ctrl-C or
 * {@link #run()}.
 */
public final class Shutdown {
    private static final Logger LOG = Logger.getLogger(Shutdown.class.getName());

    public interface Step {
        void run() throws Exception;
    }

    private record Named(String name, Step step) {
    }

    private final String service;
    private final List<Named> steps = new ArrayList<>();
    private boolean done;

    public Shutdown(String service) {
        this.service = service;
    }

    public synchronized Shutdown then(String name, Step step) {
        steps.add(new Named(name, step));
        return this;
    }

    public Shutdown onSignal() {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(this::run));
        return this;
    }

    public synchronized void run() {
        if (done) {
            return;
        }
        done = true;
        long start = System.nanoTime();
        for (Named s : steps) {
            try {
                s.step().run();
            } catch (Exception e) {
                LOG.log(Level.WARNING, service + " shutdown step '" + s.name() + "' failed", e);
            }
        }
        LOG.info(() -> service + " stopped in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }
}
