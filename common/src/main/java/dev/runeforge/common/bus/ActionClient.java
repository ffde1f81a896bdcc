package dev.runeforge.common.bus;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.protocol.ServerMessage;
import dev.runeforge.common.telemetry.Telemetry;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.trace.Span;

/**
 * Sends actions to the game instance that owns their session's partition: a core NATS request on
 * {@code <ns>.act.<partition>.<session>}, repeated with the same action until an answer comes or the deadline
 * passes. Nothing stores an action on the way; what makes this safe is that an owner applies an action key at
 * most once (the session remembers its recent keys, the log refuses a second commit of it), so a repeat is
 * answered as a duplicate, never applied twice.
 *
 * <p>When a request finds nobody subscribed (the owner died, the partition is moving), it is tried again after a
 * short back-off, and {@code <ns>.game.suspect} tells the game instances to probe their peers now. When an
 * instance announces that it took a partition ({@code <ns>.game.owned}), what is in flight there is sent again at
 * once: a takeover is answered as soon as the new owner listens, not after an attempt times out. jnats only
 * expires requests every few seconds, so attempts time out on this class's own timer: one sweep every
 * {@link #SWEEP_NANOS} over what is in flight, not a timer task per attempt (a task per action, scheduled and
 * cancelled, woke the timer's thread some 700 times a second at 1,000 actions/s: docs/performance.md).
 *
 * <p>Answers complete on jnats' reply thread; callers must not block in their continuations.
 */
public final class ActionClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ActionClient.class.getName());

    /**
     * @param attempt    how long one request may go unanswered before it is sent again
     * @param deadline   how long an action is tried in all before {@link Unanswered}
     * @param firstRetry the back-off after the first "nobody listens"; it doubles up to {@code maxRetry}
     */
    public record Settings(Duration attempt, Duration deadline, Duration firstRetry, Duration maxRetry) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofMillis(10), Duration.ofMillis(200));

        public Settings {
            Objects.requireNonNull(attempt);
            Objects.requireNonNull(deadline);
            Objects.requireNonNull(firstRetry);
            Objects.requireNonNull(maxRetry);
        }
    }

    /** No answer before the deadline. The action may still have been applied when {@link #reached()}. */
    public static final class Unanswered extends Exception {
        private final boolean reached;

        Unanswered(String message, boolean reached) {
            super(message);
            this.reached = reached;
        }

        /** Whether some attempt may have reached an owner (it timed out rather than finding nobody). */
        public boolean reached() {
            return reached;
        }
    }

    /** How often unanswered attempts are looked for: an attempt times out up to this much late. */
    static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Suspects are published at most this often per partition. */
    private static final long SUSPECT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Connection nc;
    private final Subjects subjects;
    private final int partitions;
    private final Settings settings;
    private final Telemetry telemetry;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("action-retries").daemon().factory());
    private final Map<Integer, Set<Pending>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLongArray lastSuspect;
    private final Dispatcher announcements;

    public ActionClient(Connection nc, Subjects subjects, int partitions, Settings settings) {
        this.nc = Objects.requireNonNull(nc);
        this.subjects = Objects.requireNonNull(subjects);
        this.partitions = partitions;
        this.settings = Objects.requireNonNull(settings);
        this.telemetry = Telemetry.of(nc);
        this.lastSuspect = new AtomicLongArray(partitions);
        this.announcements = nc.createDispatcher(this::owned);
        announcements.subscribe(subjects.partitionsOwned());
        timers.scheduleWithFixedDelay(this::sweep, SWEEP_NANOS, SWEEP_NANOS, TimeUnit.NANOSECONDS);
    }

    /** Sends again what has waited longer than an attempt may (or fails it at its deadline). */
    private void sweep() {
        long now = System.nanoTime();
        for (Set<Pending> waiting : inFlight.values()) {
            for (Pending p : waiting) {
                try {
                    p.sweep(now);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "action " + p.action.key() + ": the timeout sweep failed", e);
                }
            }
        }
    }

    public int partitions() {
        return partitions;
    }

    /**
     * Sends {@code action} until answered. The future completes with the answer, or exceptionally with
     * {@link Unanswered} at the deadline; it is completed on a jnats or timer thread.
     */
    public CompletableFuture<ActionReply> send(BusAction action) {
        Pending p = new Pending(action);
        p.attempt();
        return p.result;
    }

    /** Actions waiting for an answer (a gauge for operators). */
    public int inFlight() {
        return inFlight.values().stream().mapToInt(Set::size).sum();
    }

    /** {@code <ns>.game.owned}: send again at once what waits on the partitions an instance just took. */
    private void owned(Message msg) {
        for (String part : new String(msg.getData(), StandardCharsets.US_ASCII).split(",")) {
            int p;
            try {
                p = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                continue;
            }
            Set<Pending> waiting = inFlight.get(p);
            if (waiting != null) {
                for (Pending pending : waiting) {
                    pending.retryNow();
                }
            }
        }
    }

    private void suspect(int partition) {
        long now = System.nanoTime();
        long last = lastSuspect.get(partition);
        if ((last == 0 || now - last > SUSPECT_EVERY_NANOS) && lastSuspect.compareAndSet(partition, last, now)) {
            try {
                nc.publish(subjects.ownerSuspect(), Integer.toString(partition).getBytes(StandardCharsets.US_ASCII));
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "suspect not published", e);
            }
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
        try {
            nc.closeDispatcher(announcements);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing the announcements dispatcher", e);
        }
        for (Set<Pending> waiting : inFlight.values()) {
            for (Pending p : waiting) {
                p.result.completeExceptionally(new Unanswered("the gateway is shutting down", p.reached));
            }
        }
    }

    /** The retry hint of an action the bus did not take (jnats' output queue was full). */
    static final int BUS_BUSY_RETRY_MS = 1_000;

    private static ActionReply busy(BusAction action, IllegalStateException cause) {
        LOG.fine(() -> "action " + action.key() + " not sent: " + cause.getMessage());
        return new ActionReply(ActionReply.Outcome.BUSY, List.of(new ActionReply.Frame("error", ActionReply.Frame.NO_SEQ,
                Json.text(new ServerMessage.Error(ErrorCodes.BUSY, "the game is busy; try again in a moment",
                        action.id(), BUS_BUSY_RETRY_MS)))));
    }

    private final class Pending {
        final BusAction action;
        final int partition;
        final String subject;
        final byte[] body;
        final Headers headers;
        final long deadline;
        final CompletableFuture<ActionReply> result = new CompletableFuture<>();
        private long backoffNanos;
        private boolean reached;
        private ScheduledFuture<?> scheduled;
        /** The latest attempt: only its failure leads to another; an answer to any attempt is the answer. */
        private CompletableFuture<Message> current;
        /** When the latest attempt times out ({@link System#nanoTime}). */
        private long currentDue;

        Pending(BusAction action) {
            this.action = action;
            this.partition = Partitions.of(action.session(), partitions);
            this.subject = subjects.action(partition, action.session());
            this.body = Json.bytes(action);
            Span span = telemetry.producer("publish rf.act", subject)
                    .setAttribute(Telemetry.MESSAGE_ID, action.key())
                    .setAttribute(Telemetry.SESSION, action.session())
                    .setAttribute(Telemetry.PLAYER, action.player());
            this.headers = telemetry.inject(span, null);
            span.end(); // the root of the action's trace; the owner's consume span is its child
            this.deadline = System.nanoTime() + settings.deadline().toNanos();
            this.backoffNanos = settings.firstRetry().toNanos();
            inFlight.computeIfAbsent(partition, k -> ConcurrentHashMap.newKeySet()).add(this);
            result.whenComplete((r, e) -> {
                Set<Pending> waiting = inFlight.get(partition);
                if (waiting != null) {
                    waiting.remove(this);
                }
                cancelScheduled();
            });
        }

        void attempt() {
            if (result.isDone()) {
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                result.completeExceptionally(new Unanswered("no answer within " + settings.deadline().toMillis()
                        + " ms", reached()));
                return;
            }
            CompletableFuture<Message> request;
            try {
                request = nc.request(subject, headers, body);
            } catch (IllegalStateException e) {
                if (nc.getStatus() == Connection.Status.CONNECTED && !reached()) {
                    // jnats' output queue is full or held too long: the bus cannot keep up with what this gateway
                    // sends. The action was never sent: refuse it BUSY now rather than pile more on. (Once an
                    // attempt may have reached an owner, only an answer or UNAVAILABLE may be said of it.)
                    result.complete(busy(action, e));
                } else {
                    // Closed or draining (the connection will not come back for this action), or full after an
                    // attempt that may have been taken.
                    result.completeExceptionally(new Unanswered("the bus did not take the action: " + e.getMessage(),
                            reached()));
                }
                return;
            } catch (RuntimeException e) {
                result.completeExceptionally(new Unanswered("the bus is closing: " + e.getMessage(), reached()));
                return;
            }
            synchronized (this) {
                current = request;
                currentDue = System.nanoTime() + Math.min(left, settings.attempt().toNanos());
            }
            request.whenComplete((reply, failure) -> answered(request, reply, failure));
        }

        /** An owner announced the partition: whatever waits for a back-off or an answer goes out again now. */
        void retryNow() {
            if (!result.isDone()) {
                cancelScheduled();
                backoffNanos = settings.firstRetry().toNanos();
                attempt();
            }
        }

        private void answered(CompletableFuture<Message> request, Message reply, Throwable failure) {
            if (result.isDone()) {
                return;
            }
            synchronized (this) {
                if (failure != null && request != current) {
                    return; // an earlier attempt, already given up on
                }
            }
            if (failure == null) {
                ActionReply answer;
                try {
                    answer = ActionReply.read(reply);
                } catch (IllegalArgumentException e) {
                    LOG.warning(() -> "unreadable answer to action " + action.key() + ": " + e.getMessage());
                    result.completeExceptionally(e);
                    return;
                }
                if (answer.outcome() == ActionReply.Outcome.RETRY) {
                    synchronized (this) {
                        if (request != current) {
                            return; // a newer attempt is out already
                        }
                        reached = true;
                    }
                    schedule(this::attempt, backoff());
                    return;
                }
                result.complete(answer);
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof CancellationException
                    || (cause instanceof JetStreamStatusException s && s.getStatus().getCode() == 503)) {
                // Nobody subscribed: the partition has no owner right now. Nudge the instances, wait a little.
                suspect(partition);
                schedule(this::attempt, backoff());
            } else {
                LOG.log(Level.FINE, "action " + action.key() + " attempt failed", cause);
                schedule(this::attempt, backoff());
            }
        }

        /** From the sweep: times the latest attempt out once it is due. */
        void sweep(long now) {
            CompletableFuture<Message> request;
            synchronized (this) {
                if (current == null || now - currentDue < 0) {
                    return;
                }
                request = current;
            }
            timedOut(request);
        }

        private void timedOut(CompletableFuture<Message> request) {
            if (request.isDone() || result.isDone()) {
                return;
            }
            synchronized (this) {
                if (request != current) {
                    return;
                }
                reached = true; // it may be in an owner's hands: say so if the deadline passes
            }
            // A late answer to it is still the answer (answered() takes any attempt's); try again meanwhile.
            suspect(partition);
            attempt();
        }

        /** The next back-off: it doubles from the first up to the most. */
        private synchronized long backoff() {
            long wait = backoffNanos;
            backoffNanos = Math.min(backoffNanos * 2, settings.maxRetry().toNanos());
            return wait;
        }

        private synchronized boolean reached() {
            return reached;
        }

        private synchronized void schedule(Runnable task, long nanos) {
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            try {
                scheduled = timers.schedule(task, Math.max(0, nanos), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                result.completeExceptionally(new Unanswered("the gateway is shutting down", reached));
            }
        }

        private synchronized void cancelScheduled() {
            if (scheduled != null) {
                scheduled.cancel(false);
                scheduled = null;
            }
        }
    }
}
