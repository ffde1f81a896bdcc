package dev.runeforge.game.bus;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;

/**
 * How many players' actions this instance takes on at once: an adaptive limit (Netflix concurrency-limits, AIMD
 * over windows of steps). An action is admitted while fewer than the limit are waiting or running, else refused
 * BUSY at once. After each window of at least {@link #WINDOW} and ten steps, the limit shrinks by a quarter when
 * the window's steps took more than {@code congested} on average (from arrival to answer) or one of them failed
 * (an append unanswered, a read timed out), and grows by one when the window used at least half of it.
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

    /**
     * @param congested a window's average step time above which the limit shrinks
     * @param max       the most the limit may grow to ({@code game.queue.max})
     * @param clock     {@link System#nanoTime}, or a test's
     */
    Admission(Duration congested, int max, LongSupplier clock) {
        int most = Math.max(1, max);
        int least = Math.min(MIN_LIMIT, most);
        AIMDLimit aimd = AIMDLimit.newBuilder()
                .minLimit(least)
                .initialLimit(Math.min(INITIAL_LIMIT, most))
                .maxLimit(most)
                .backoffRatio(0.75)
                .timeout(congested.toNanos(), TimeUnit.NANOSECONDS)
                .build();
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

    /** A ticket when the action may be taken on now, else empty (refuse it BUSY). */
    Optional<Ticket> admit() {
        return limiter.acquire(null).map(listener -> new Ticket() {
            @Override
            public void answered() {
                listener.onSuccess();
            }

            @Override
            public void failed() {
                listener.onDropped();
            }

            @Override
            public void ignored() {
                listener.onIgnore();
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
}
