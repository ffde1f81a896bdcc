package dev.runeforge.game.bus;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import com.netflix.concurrency.limits.limit.AbstractLimit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;

/**
 * How many players' actions this instance takes on at once: an adaptive limit (Netflix concurrency-limits, AIMD
 * over windows of steps). An action is admitted while fewer than the limit are waiting or running, else refused
 * BUSY at once. After each window of at least {@link #WINDOW} and ten steps, the limit shrinks by a quarter when
 * the window's steps took more than {@code congested} on average (from arrival to answer) or one of them failed
 * (an append unanswered, a read timed out), and grows by an eighth when the window used at least half of it.
 *
 * <p>Why: at twice the capacity the bus fell behind, appends went unanswered, and every action in the queue waited
 * out timeouts and was sent again: the platform did more work per roll the further it fell behind, and carried
 * nothing (docs/performance.md). With the limit the instance takes on only what the bus answers in time and
 * refuses the rest before it costs an append.
 */
final class Admission {
    /**
     * The window of steps the limit learns from: long enough that a stall of a few hundred ms (a collection, a
     * starved box) does not make a window's average; with 100 ms windows such stalls shrank the limit to 53-106
     * at 1,000 rolls/s, which refused rolls of a healthy instance (docs/performance.md).
     */
    static final Duration WINDOW = Duration.ofSeconds(1);
    /** Steps a window needs before the limit learns from it. */
    static final int WINDOW_STEPS = 10;
    /**
     * The limit never falls below this: room for a burst at capacity (~0.1 s of 1,000 rolls/s), and still far below
     * what spirals (an instance whose in-flight appends take more than their 5 s: thousands).
     */
    static final int MIN_LIMIT = 128;
    /**
     * Where the limit starts: far above what a healthy instance has in flight at capacity (~5-15 at 1,000 rolls/s),
     * so that a stall of a few hundred ms (a collection, a starved box) queues its arrivals instead of refusing
     * them. Starting at 64 refused 231 heavy rolls at 1,000/s and 382 at 4,000 players (docs/performance.md).
     */
    static final int INITIAL_LIMIT = 512;

    /** An admitted action: say how its step ended, exactly once. */
    interface Ticket {
        /** It was answered (accepted, rejected, refused as a duplicate…). */
        void answered();

        /** It failed and its sender tries again, or it waited past its patience: the instance is behind. */
        void failed();

        /** It was dropped unrun (its partition was lost): no sample of how long steps take. */
        void ignored();
    }

    private final SimpleLimiter<Void> limiter;
    /** Tickets whose end has been counted in the limit's window (tests wait for it: the window is the limiter's). */
    private final AtomicLong ended = new AtomicLong();

    /**
     * @param congested a window's average step time above which the limit shrinks
     * @param max       the most the limit may grow to ({@code game.queue.max})
     * @param clock     {@link System#nanoTime}, or a test's
     */
    Admission(Duration congested, int max, LongSupplier clock) {
        int most = Math.max(1, max);
        int least = Math.min(MIN_LIMIT, most);
        Aimd aimd = new Aimd(Math.min(INITIAL_LIMIT, most), least, most, congested.toNanos());
        this.limiter = SimpleLimiter.newBuilder()
                .named("game-actions")
                .nanoClock(clock)
                .limit(WindowedLimit.newBuilder()
                        .minWindowTime(WINDOW.toNanos(), TimeUnit.NANOSECONDS)
                        .maxWindowTime(WINDOW.toNanos(), TimeUnit.NANOSECONDS)
                        .windowSize(WINDOW_STEPS)
                        .build(aimd))
                .build();
    }

    /**
     * The limit's rule, on each window: shrink by a quarter when congested, else grow by an eighth (at least one)
     * when the window used at least half of it. The library's {@code AIMDLimit} grows by one per window: after a burst
     * of slow steps (the rooms' set-up, with a directory write each) had left it at its floor of 128, it grew back by
     * one a second while a healthy instance refused ~8,000 heavy rolls (docs/performance.md). From 128, this is back
     * at 512 after twelve good windows.
     */
    static final class Aimd extends AbstractLimit {
        static final double BACKOFF = 0.75;
        static final int GROWTH_DIVISOR = 8;
        private final int min;
        private final int max;
        private final long congestedNanos;

        Aimd(int initial, int min, int max, long congestedNanos) {
            super(initial);
            this.min = min;
            this.max = max;
            this.congestedNanos = congestedNanos;
        }

        @Override
        protected int _update(long startTime, long rtt, int inflight, boolean didDrop) {
            int limit = getLimit();
            if (didDrop || rtt > congestedNanos) {
                limit = (int) (limit * BACKOFF);
            } else if (inflight * 2 >= limit) {
                limit += Math.max(1, limit / GROWTH_DIVISOR);
            }
            return Math.min(max, Math.max(min, limit));
        }
    }

    /** A ticket when the action may be taken on now, else empty (refuse it BUSY). */
    Optional<Ticket> admit() {
        return limiter.acquire(null).map(listener -> new Ticket() {
            @Override
            public void answered() {
                listener.onSuccess();
                ended.incrementAndGet();
            }

            @Override
            public void failed() {
                listener.onDropped();
                ended.incrementAndGet();
            }

            @Override
            public void ignored() {
                listener.onIgnore();
                ended.incrementAndGet();
            }
        });
    }

    /** The current limit. */
    int limit() {
        return limiter.getLimit();
    }

    /** Actions admitted and not yet ended. */
    int inFlight() {
        return limiter.getInflight();
    }

    /** Tickets ended so far, each counted once the limit has taken its sample. */
    long ended() {
        return ended.get();
    }
}
