package dev.runeforge.game.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.runeforge.common.bus.BusAction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * {@link Watchdog} over {@link SessionMailboxes}: a stalled action path trips it once, and so does one action stuck
 * far longer than any chain of bus timeouts; one slow action among others that end does not, nor do actions that end.
 */
class WatchdogTest {
    private static final Duration LIMIT = Duration.ofSeconds(15);
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> began = new CopyOnWriteArrayList<>();
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final List<String> reasons = new CopyOnWriteArrayList<>();

    /** Runs every action at once, except "stuck", which waits until the test releases it. */
    private final SessionMailboxes.Worker worker = new SessionMailboxes.Worker() {
        @Override
        public boolean run(SessionMailboxes.Work work) {
            began.add(work.action().id());
            if (work.action().id().equals("stuck")) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ran.add(work.action().id());
            return true;
        }

        @Override
        public void busy(SessionMailboxes.Work work, int retryMs) {
        }
    };
    private final SessionMailboxes mailboxes = new SessionMailboxes(worker, 64, 100, Duration.ofSeconds(60),
            () -> false, new SimpleMeterRegistry());
    private final Watchdog watchdog = new Watchdog(List.of(
            new Watchdog.Check("every session's mailbox", mailboxes::stalledNanos, LIMIT),
            new Watchdog.Check("a session's mailbox", mailboxes::stuckNanos, LIMIT.multipliedBy(4))), reasons::add);

    private static SessionMailboxes.Work work(String id, String session) {
        return new SessionMailboxes.Work(new BusAction(id, BusAction.Kind.GAME, session, "g-a", "Alice", null, null,
                null, 0), "reply", null, System.nanoTime());
    }

    /** Waits until the stuck action runs; returns a time after its step began. */
    private long onItsStep() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!began.contains("stuck") && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(began.contains("stuck"), "the stuck action runs");
        return System.nanoTime();
    }

    private void awaitRan(String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!ran.contains(id) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(ran.contains(id), id + " ran");
    }

    @Test
    void noMailboxEndingAStepForTheLimitTripsItOnce() throws Exception {
        mailboxes.submit(work("other", "s-other"));
        awaitRan("other");
        mailboxes.submit(work("stuck", "s-stuck"));
        long now = onItsStep();
        assertFalse(watchdog.check(now), "nothing has been stalled for 15 s yet");
        assertEquals(List.of(), reasons);

        assertTrue(watchdog.check(now + LIMIT.toNanos()));
        assertTrue(watchdog.check(now + 2 * LIMIT.toNanos()));
        assertEquals(1, reasons.size(), "tripped once: " + reasons);
        assertTrue(reasons.get(0).startsWith("every session's mailbox stuck for "), reasons.get(0));
        release.countDown();
    }

    /**
     * Under overload one action may wait out several bus timeouts in a row while thousands of others end; at twice
     * the capacity such an action (15.4 s) once halted the only instance, an outage instead of refusals.
     */
    @Test
    void oneLongActionWhileOthersEndStepsTripsItOnlyAtItsOwnLimit() throws Exception {
        Duration limit = Duration.ofSeconds(1);
        Watchdog oneSecond = new Watchdog(List.of(
                new Watchdog.Check("a session's mailbox", mailboxes::stuckNanos, limit.multipliedBy(4)),
                new Watchdog.Check("every session's mailbox", mailboxes::stalledNanos, limit)), reasons::add);
        mailboxes.submit(work("stuck", "s-stuck"));
        long submitted = onItsStep();
        for (int i = 0; System.nanoTime() - submitted < limit.toNanos() * 3 / 2; i++) {
            mailboxes.submit(work("o" + i, "s-other-" + (i % 8)));
            awaitRan("o" + i);
            Thread.sleep(10);
        }
        assertTrue(mailboxes.stuckNanos(System.nanoTime()) > limit.toNanos(), "the slow action is on past the limit");
        assertFalse(oneSecond.check(System.nanoTime()), "others keep ending steps: not stalled, and not 4 s yet");
        assertEquals(List.of(), reasons);

        assertTrue(oneSecond.check(submitted + limit.multipliedBy(4).toNanos()));
        assertEquals(1, reasons.size(), "tripped once: " + reasons);
        assertTrue(reasons.get(0).startsWith("a session's mailbox stuck for "), reasons.get(0));
        release.countDown();
    }

    @Test
    void actionsThatEndLeaveNothingToTripOnHoweverLongTheInstanceThenIdles() throws Exception {
        mailboxes.submit(work("a1", "s1"));
        mailboxes.submit(work("a2", "s1"));
        awaitRan("a2");
        long later = System.nanoTime() + 10 * LIMIT.toNanos();
        assertEquals(0, mailboxes.stuckNanos(later), "no mailbox has work");
        assertEquals(0, mailboxes.stalledNanos(later), "no mailbox has work");
        assertFalse(watchdog.check(later));

        // Work that arrives after a long quiet is timed from when it arrived, not from the last action before.
        mailboxes.submit(work("stuck", "s2"));
        long now = System.nanoTime();
        assertTrue(mailboxes.stuckNanos(now) < LIMIT.toNanos());
        assertTrue(mailboxes.stalledNanos(now) < LIMIT.toNanos(), "timed from when it started, not the last end");
        assertFalse(watchdog.check(now));
        release.countDown();
        awaitRan("stuck");
        assertEquals(0, mailboxes.stuckNanos(System.nanoTime() + LIMIT.toNanos()));
        assertEquals(List.of(), reasons);
    }

    @Test
    void theDumpItLogsShowsTheStuckVirtualThread() throws Exception {
        mailboxes.submit(work("stuck", "s-stuck"));
        try {
            String dump = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!dump.contains("WatchdogTest") && System.nanoTime() < deadline) { // until it is in the worker
                dump = Watchdog.threadDump();
            }
            int at = dump.indexOf("session-s-stuck");
            assertTrue(at >= 0, "the mailbox's virtual thread is in the dump");
            assertTrue(dump.indexOf("CountDownLatch.await", at) > at, "with where it waits");
        } finally {
            release.countDown();
        }
    }

    @Test
    void startedItChecksOnItsOwn() throws Exception {
        try (Watchdog running = new Watchdog(List.of(
                new Watchdog.Check("every session's mailbox", mailboxes::stalledNanos, Duration.ofMillis(200))),
                reasons::add).start()) {
            mailboxes.submit(work("stuck", "s-stuck"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reasons.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, reasons.size(), "tripped once by its own clock: " + reasons);
        } finally {
            release.countDown();
        }
    }
}
