package dev.runeforge.game.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.runeforge.common.bus.BusAction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The admission rules of {@link SessionMailboxes}, with a worker that records what it was given. */
class SessionMailboxesTest {
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final List<String> busy = new CopyOnWriteArrayList<>();
    private final SessionMailboxes.Worker worker = new SessionMailboxes.Worker() {
        @Override
        public void run(SessionMailboxes.Work work) {
            ran.add(work.action().id());
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
}
