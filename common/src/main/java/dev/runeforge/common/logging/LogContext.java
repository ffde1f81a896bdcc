package dev.runeforge.common.logging;

/**
 * The session and player an action is being handled for, on this thread, for {@link JsonLogFormatter}'s
 * {@code session} and {@code player} fields. Set where an action is handled (the gateway's socket, the game
 * instance's action handler) with try-with-resources; nested scopes restore the outer one when closed.
 *
 * <p>A thread-local, not a scoped value: JUL formats a record on the thread that logs it (the stdout handler is
 * synchronous), which is the thread that opened the scope. Only ids go here, never tokens or message bodies.
 */
public final class LogContext {
    /** What a log line names; either may be null. */
    public record Fields(String session, String player) {
    }

    /** Closes the scope it was returned for; closing restores what was there before. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final ThreadLocal<Fields> CURRENT = new ThreadLocal<>();
    private static final Scope NOTHING = () -> {
    };

    private LogContext() {
    }

    /** Names {@code session} and {@code player} in this thread's log lines until the scope is closed. */
    public static Scope open(String session, String player) {
        if (session == null && player == null) {
            return NOTHING;
        }
        Fields before = CURRENT.get();
        CURRENT.set(new Fields(session, player));
        return before == null ? CURRENT::remove : () -> CURRENT.set(before);
    }

    /** This thread's fields, or null. */
    public static Fields current() {
        return CURRENT.get();
    }
}
