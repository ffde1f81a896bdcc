package dev.runeforge.game.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.runeforge.common.bus.BusAction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The admission rules of {@link SessionMailboxes}, with a worker that records what it was given. */
class SessionMailboxesTest {
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final List<String> began = new CopyOnWriteArrayList<>();
    private final List<String> busy = new CopyOnWriteArrayList<>();
    /** The clock the adaptive limit measures steps by: the test moves it while steps are held. */
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    /** Every step waits for this before it ends… */
    private volatile CountDownLatch gate = new CountDownLatch(0);
    /** …but the first of a round ({@link #round}: its id ends in "-0"), which waits for this. */
    private volatile CountDownLatch first = new CountDownLatch(0);
    /** What the worker says of a step: answered (true) or failed, its sender tries again (false). */
    private volatile boolean answers = true;
    private final SessionMailboxes.Worker worker = new SessionMailboxes.Worker() {
        @Override
        public boolean run(SessionMailboxes.Work work) {
            began.add(work.action().id());
            try {
                (work.action().id().endsWith("-0") ? first : gate).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran.add(work.action().id());
            return answers;
        }

        @Override
        public void busy(SessionMailboxes.Work work, int retryMs) {
            busy.add(work.action().id() + "@" + retryMs);
        }
    };

    private static SessionMailboxes.Work work(String id, BusAction.Kind kind, String session) {
        return new SessionMailboxes.Work(new BusAction(id, kind, session, "g-a", "Alice", kind == BusAction.Kind.CREATE
                ? "dice" : null, null, null, 0), "reply", null, System.nanoTime());
    }

    private void awaitRan(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ran.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void whileTheHeapIsFullANewRoomIsRefusedAndTheRoomsThereKeepPlaying() throws Exception {
        AtomicBoolean full = new AtomicBoolean(true);
        SessionMailboxes mailboxes = new SessionMailboxes(worker, 64, 100, Duration.ofSeconds(1), full::get,
                new SimpleMeterRegistry());
        mailboxes.submit(work("c1", BusAction.Kind.CREATE, "s1"));
        mailboxes.submit(work("g1", BusAction.Kind.GAME, "s0"));
        mailboxes.submit(work("j1", BusAction.Kind.JOIN, "s0"));
        awaitRan(2);
        assertEquals(List.of("c1@" + SessionMailboxes.HEAP_RETRY_MS), busy);
        assertEquals(List.of("g1", "j1"), ran.stream().sorted().toList());

        full.set(false); // rooms closed, the heap freed: new rooms are welcome again
        mailboxes.submit(work("c2", BusAction.Kind.CREATE, "s2"));
        awaitRan(3);
        assertEquals(List.of("c2", "g1", "j1"), ran.stream().sorted().toList());
        assertEquals(1, busy.size());
    }

    private static void await(List<String> list, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (list.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertEquals(n, list.size());
    }

    /**
     * {@code n} game actions, each of a session of its own, all in flight together, whose steps take
     * {@code stepMillis} by the limit's clock, a window's length after the round before: the limit learns from the
     * previous round's steps when this round's first step ends. That step ends alone, so the window it closes holds
     * the previous round and exactly this one step (the limiter closes a window on the first step past its time, with
     * whatever steps have ended by then).
     */
    private void round(SessionMailboxes mailboxes, String prefix, int n, long stepMillis) throws InterruptedException {
        int before = began.size();
        clock.addAndGet(Admission.WINDOW.toNanos());
        gate = new CountDownLatch(1);
        first = new CountDownLatch(1);
        for (int i = 0; i < n; i++) {
            mailboxes.submit(work(prefix + i, BusAction.Kind.GAME, "s" + i));
        }
        await(began, before + n);
        long ended = mailboxes.ended();
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(stepMillis));
        first.countDown();
        awaitEnded(mailboxes, ended + 1);
        gate.countDown();
        // A step counts in the limit's window once it has said how it ended, just after the worker returned: wait for
        // that, or a straggler would be timed on the next round's clock (a step of a second, a window too soon).
        awaitEnded(mailboxes, ended + n);
    }

    /** Waits until {@code n} admitted steps in all have ended and been counted by the limit. */
    private static void awaitEnded(SessionMailboxes mailboxes, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (mailboxes.ended() < n && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(n, mailboxes.ended(), "steps ended and counted by the limit");
    }

    @Test
    void whileStepsAreSlowTheLimitShrinksAndWhatIsBeyondItIsRefusedAtOnceThenItGrowsBack() throws Exception {
        SessionMailboxes mailboxes = new SessionMailboxes(worker, 64, 1000, Duration.ofSeconds(1), () -> false,
                new SimpleMeterRegistry(), clock::get);
        assertEquals(Admission.INITIAL_LIMIT, mailboxes.limit());
        round(mailboxes, "fast-", 12, 1);
        round(mailboxes, "fast2-", 12, 1);
        assertTrue(mailboxes.limit() >= Admission.INITIAL_LIMIT, "fast steps never shrink it: " + mailboxes.limit());

        // Steps over a tenth of the 1 s patience (the bus is behind): each window shrinks the limit by a quarter.
        int before = mailboxes.limit();
        round(mailboxes, "slow-", 12, 200);
        round(mailboxes, "slow2-", 12, 200);
        assertEquals((int) (before * 0.75), mailboxes.limit());
        for (int r = 0; r < 30 && mailboxes.limit() > Admission.MIN_LIMIT; r++) {
            round(mailboxes, "slow" + r + "-", 12, 200);
        }
        assertEquals(Admission.MIN_LIMIT, mailboxes.limit(), "the limit fell to its floor, and no lower");
        assertEquals(List.of(), busy, "nothing was refused while less than the limit was in flight");

        // The limit is full: the next action is refused BUSY at once, with the patience as its retry hint.
        gate = new CountDownLatch(1);
        for (int i = 0; i < Admission.MIN_LIMIT; i++) {
            mailboxes.submit(work("h" + i, BusAction.Kind.GAME, "held" + i));
        }
        mailboxes.submit(work("over", BusAction.Kind.GAME, "s-over"));
        assertEquals(List.of("over@1000"), busy);
        // Quiet actions (timers, presence) are never refused: nobody would send them again.
        mailboxes.submit(work("tick", BusAction.Kind.TIMER, "s-tick"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!began.contains("tick") && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(began.contains("tick"), began.toString());
        long held = mailboxes.ended();
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        gate.countDown();
        await(ran, began.size());
        awaitEnded(mailboxes, held + Admission.MIN_LIMIT);

        // Fast again and busy (in flight at least half the limit): each window grows it by an eighth, so it is back
        // where it started within seconds (by one a window, as the library's AIMD grows, it would take minutes).
        int rounds = 0;
        while (mailboxes.limit() < Admission.INITIAL_LIMIT && rounds < 16) {
            // More than half of what the limit grows to when this round's first step ends (it learns a window late).
            round(mailboxes, "again" + rounds + "-", mailboxes.limit() * 5 / 8 + 1, 1);
            rounds++;
        }
        assertTrue(mailboxes.limit() >= Admission.INITIAL_LIMIT, "limit " + mailboxes.limit() + " after " + rounds + " windows");
        assertEquals(1, busy.size());
    }

    @Test
    void aFailedStepShrinksTheLimitHoweverFastItWas() throws Exception {
        SessionMailboxes mailboxes = new SessionMailboxes(worker, 64, 1000, Duration.ofSeconds(1), () -> false,
                new SimpleMeterRegistry(), clock::get);
        answers = false; // an append unanswered: the sender tries again
        round(mailboxes, "f-", 12, 1);
        round(mailboxes, "f2-", 12, 1);
        assertEquals((int) (Admission.INITIAL_LIMIT * 0.75), mailboxes.limit());
    }
}
