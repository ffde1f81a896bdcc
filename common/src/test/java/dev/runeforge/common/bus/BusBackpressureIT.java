package dev.runeforge.common.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.runeforge.common.json.Json;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.junit.jupiter.api.Test;

/**
 * What a gateway says when the bus cannot take more from it ({@link ActionClient}, {@link Rpc}): a real
 * nats-server of the test's own, stopped (SIGSTOP) so that it reads nothing, until jnats' output queue is full.
 */
class BusBackpressureIT {
    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void whatTheBusCannotTakeIsRefusedAtOnceWithATypedError() throws Exception {
        int port = freePort();
        Process server = new ProcessBuilder(TestNats.serverBinary(), "-a", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Subjects subjects = new Subjects("rf");
        try (Connection nc = connect(port)) {
            ActionClient actions = new ActionClient(nc, subjects, 8, ActionClient.Settings.DEFAULT);
            nc.flush(Duration.ofSeconds(5));
            Runtime.getRuntime().exec(new String[] {"kill", "-STOP", Long.toString(server.pid())}).waitFor();
            try {
                // The server reads nothing now: fill the socket's buffers, then jnats' queue of a few messages.
                byte[] big = new byte[512 * 1024];
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                boolean full = false;
                while (!full && System.nanoTime() < deadline) {
                    try {
                        nc.publish("rf.filler", big);
                    } catch (IllegalStateException e) {
                        full = true;
                    }
                }
                assertTrue(full, "jnats' output queue never filled");

                BusAction roll = new BusAction("a1", BusAction.Kind.GAME, "s1", "g-a", "Alice", null,
                        Json.tree(java.util.Map.of("type", "roll")), null, 0);
                long start = System.nanoTime();
                ActionReply reply = actions.send(roll).get(5, TimeUnit.SECONDS);
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(ActionReply.Outcome.BUSY, reply.outcome());
                assertEquals(1, reply.frames().size());
                var error = Json.tree(reply.frames().get(0).json().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertEquals("BUSY", error.path("code").asText(), error.toString());
                assertEquals("a1", error.path("ref").asText(), error.toString());
                assertEquals(ActionClient.BUS_BUSY_RETRY_MS, error.path("retryMs").asInt(), error.toString());
                assertTrue(tookMs < 4_000, "refused after " + tookMs + " ms, not at the action's deadline");

                // A service call (a sign-in, a query) is UNAVAILABLE (HTTP 503 at the gateway), never a crash.
                RpcException failed = assertThrows(RpcException.class, () -> Rpc.request(nc, "rf.auth.guest",
                        java.util.Map.of("name", "Alice"), java.util.Map.class, Duration.ofSeconds(3)));
                assertEquals("UNAVAILABLE", failed.code(), failed.getMessage());
            } finally {
                Runtime.getRuntime().exec(new String[] {"kill", "-CONT", Long.toString(server.pid())}).waitFor();
                actions.close();
            }
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static Connection connect(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                        .maxMessagesInOutgoingQueue(4)
                        .writeQueuePushTimeout(Duration.ofMillis(100))
                        .build());
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }
}
