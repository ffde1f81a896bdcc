package dev.runeforge.common.logging;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Routes java.util.logging (where Helidon's System.Logger, and SLF4J through slf4j-jdk14, end up) to JSON lines
 * on stdout, at INFO until the service's settings say otherwise ({@code log.level}, env {@code LOG_LEVEL}: see
 * {@link #level}).
 */
public final class Logging {
    private Logging() {
    }

    /** JUL holds loggers weakly: a level set on a logger nobody references is lost at the next GC. */
    private static final java.util.concurrent.CopyOnWriteArrayList<Logger> PINNED = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static volatile boolean initialised;

    public static void init(String service) {
        // JUL's own shutdown hook resets (closes) every handler, racing ours: the drain's last words would be
        // lost. This manager ignores that reset; set before the first LogManager use.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
        }
        LogManager manager = LogManager.getLogManager();
        if (manager instanceof ShutdownSafeLogManager safe) {
            safe.resetNow();
        } else {
            manager.reset();
        }
        Logger root = Logger.getLogger("");
        Handler handler = new StdoutHandler(System.out);
        handler.setFormatter(new JsonLogFormatter(service));
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        initialised = true;
        level(Level.INFO);
    }

    /**
     * Sets the root level once the settings are read. Only after {@link #init}: a test that starts services in its
     * own JVM keeps the logging it set up.
     */
    public static void level(Level level) {
        if (!initialised) {
            return;
        }
        Logger.getLogger("").setLevel(level);
        // Chatty third-party loggers stay at WARNING unless asked for.
        quiet("io.helidon", level);
        quiet("org.flywaydb", level);
        quiet("com.zaxxer.hikari", level);
    }

    private static void quiet(String name, Level level) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(level.intValue() < Level.INFO.intValue() ? level : Level.WARNING);
        PINNED.addIfAbsent(logger);
    }

    /** A LogManager whose {@code reset()} is ours to call: the JVM's shutdown-time reset is ignored. */
    public static final class ShutdownSafeLogManager extends LogManager {
        @Override
        public void reset() {
            // Called by JUL's shutdown hook; handlers stay open so shutdown logs still reach stdout.
        }

        void resetNow() {
            super.reset();
        }
    }

    /** A ConsoleHandler writes to stderr; this one writes to stdout and flushes every record. */
    private static final class StdoutHandler extends StreamHandler {
        StdoutHandler(PrintStream out) {
            super(new NonClosing(out), new java.util.logging.SimpleFormatter());
        }

        @Override
        public synchronized void publish(java.util.logging.LogRecord record) {
            super.publish(record);
            flush();
        }

        @Override
        public synchronized void close() {
            flush();
        }
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws java.io.IOException {
            flush();
        }
    }

}
