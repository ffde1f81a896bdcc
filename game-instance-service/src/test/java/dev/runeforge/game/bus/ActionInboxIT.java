package dev.runeforge.game.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.json.Json;
import dev.runeforge.testsupport.TestBus;
import dev.runeforge.testsupport.TestNats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ActionInbox#stuckNanos}: actions left in its dispatcher while it takes none, on a real NATS server. */
class ActionInboxIT {
    private static final int PARTITIONS = 4;
    @RegisterExtension
    final TestBus bus = new TestBus();
    private final CountDownLatch unblock = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws Exception {
        unblock.countDown();
    }

    private void send(String id, BusAction.Kind kind, String session) {
        BusAction action = new BusAction(id, kind, session, "g-a", "Alice", kind == BusAction.Kind.CREATE ? "dice" : null,
                null, null, 0);
        bus.nc().publish(bus.subjects().action(Partitions.of(session, PARTITIONS), session), Json.bytes(action));
    }

    @Test
    void actionsWaitingBehindABlockedDispatcherCountAsStuckAndAnIdleInboxNever() throws Exception {
        SessionMailboxes.Worker worker = new SessionMailboxes.Worker() {
            @Override
            public boolean run(SessionMailboxes.Work work) {
                return true;
            }

            @Override
            public void busy(SessionMailboxes.Work work, int retryMs) {
            }
        };
        // The heap check runs on the dispatcher's thread for a new room: blocking it blocks the inbox.
        CountDownLatch inCheck = new CountDownLatch(1);
        SessionMailboxes mailboxes = new SessionMailboxes(worker, PARTITIONS, 100, Duration.ofSeconds(1), () -> {
            inCheck.countDown();
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }, new SimpleMeterRegistry());
        try (Connection gameNc = TestNats.connect();
                ActionInbox inbox = new ActionInbox(gameNc, bus.subjects(), mailboxes)) {
            inbox.open(List.of(0, 1, 2, 3));
            long t0 = System.nanoTime();
            assertEquals(0, inbox.stuckNanos(t0), "idle");
            assertEquals(0, inbox.stuckNanos(t0 + TimeUnit.MINUTES.toNanos(5)), "idle however long");

            send("c1", BusAction.Kind.CREATE, "s-1");
            assertTrue(inCheck.await(5, TimeUnit.SECONDS), "the create reached the inbox");
            send("g1", BusAction.Kind.GAME, "s-2");
            bus.nc().flush(Duration.ofSeconds(5));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long first = System.nanoTime();
            while (inbox.stuckNanos(first) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10); // until the second action sits in the dispatcher (the first sample starts the clock)
                first = System.nanoTime();
            }
            long later = first + TimeUnit.SECONDS.toNanos(20);
            assertTrue(inbox.stuckNanos(later) >= TimeUnit.SECONDS.toNanos(20),
                    "an action waited 20 s behind a dispatcher that took none");

            unblock.countDown();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (inbox.stuckNanos(System.nanoTime()) != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, inbox.stuckNanos(System.nanoTime() + TimeUnit.MINUTES.toNanos(5)), "moving again");
        }
    }
}
