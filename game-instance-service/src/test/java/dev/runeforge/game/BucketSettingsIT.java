package dev.runeforge.game;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.testsupport.TestBus;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Settings kept in a bucket's configuration ({@code game.lease.ttl}: the members bucket's, {@code game.sessions.ttl}) take effect when an
 * instance restarts on an existing namespace, not only on a fresh one: the buckets it finds are brought to them.
 */
class BucketSettingsIT {
    @RegisterExtension
    final TestBus bus = new TestBus();

    private ServiceRuntime.Running start(String leaseTtl, String sessionsTtl) throws Exception {
        Map<String, String> config = new HashMap<>(TestNats.service(Main.SERVICE, Map.of(
                "bus.namespace", bus.namespace(), "admin.host", "127.0.0.1", "admin.port", "0", "game.partitions", "4",
                "game.instance", "gi-bucket")));
        config.put("game.lease.ttl", leaseTtl);
        config.put("game.sessions.ttl", sessionsTtl);
        return Main.start(ServiceConfig.load(config));
    }

    private Duration ttl(String bucket) throws Exception {
        return bus.nc().keyValueManagement().getStatus(bus.namespace() + "-" + bucket).getTtl();
    }

    /** Waits until the instance holds every partition's lease (it works with the TTL it was given). */
    private void awaitAllLeases() throws Exception {
        KeyValue leases = bus.nc().keyValue(bus.namespace() + "-leases");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (leases.keys().size() < 4) {
            assertTrue(System.nanoTime() < deadline, "leases held: " + leases.keys());
            Thread.sleep(100);
        }
    }

    @Test
    void aLeaseTtlChangedOnAnExistingNamespaceIsInForceAfterARestart() throws Exception {
        try (ServiceRuntime.Running first = start("PT0.8S", "P1D")) {
            awaitAllLeases();
            assertEquals(Duration.ofMillis(800), ttl("members"));
            assertEquals(Duration.ZERO, ttl("leases"), "leases never lapse on their own: they count while their owner is a member");
            assertEquals(Duration.ofDays(1), ttl("sessions"));
        }
        try (ServiceRuntime.Running second = start("PT3S", "P2D")) {
            assertEquals(Duration.ofSeconds(3), ttl("members"));
            assertEquals(Duration.ofDays(2), ttl("sessions"));
            awaitAllLeases();
        }
        // In force: an entry written now outlives the old 0.8 s. (Written once the instance has left: a running
        // one would take any key in the members bucket for a member and probe it.)
        KeyValue members = bus.nc().keyValue(bus.namespace() + "-members");
        long revision = members.put("probe", "x");
        Thread.sleep(1500);
        assertTrue(members.get("probe") != null && members.get("probe").getRevision() == revision,
                "an entry lapsed after 1.5 s under a 3 s TTL");
    }
}
