package dev.runeforge.testsupport;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.UUID;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValueManagement;
import io.nats.client.Nats;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * The NATS server integration tests use: the local one ({@code RF_TEST_NATS_URL}, default
 * nats://127.0.0.1:4222, which ./run-tests.sh provisions) when it answers, else a Testcontainers NATS where a
 * Docker engine exists. Every test gets its own namespace, so runs never see each other's streams.
 */
public final class TestNats {
    private static volatile String url;
    private static GenericContainer<?> container;

    private TestNats() {
    }

    public static synchronized String url() {
        if (url != null) {
            return url;
        }
        String local = System.getenv().getOrDefault("RF_TEST_NATS_URL", "nats://127.0.0.1:4222");
        if (reachable(local)) {
            url = local;
        } else if (dockerAvailable()) {
            container = new GenericContainer<>("nats:2.10").withCommand("-js").withExposedPorts(4222);
            container.start();
            url = "nats://" + container.getHost() + ":" + container.getMappedPort(4222);
        } else {
            throw new IllegalStateException("No NATS server at " + local + " and no Docker for Testcontainers. "
                    + "Run ./run-tests.sh (it installs and starts nats-server with JetStream) or set RF_TEST_NATS_URL.");
        }
        return url;
    }

    /** A fresh namespace for subjects, streams and buckets: {@code t} + 8 hex digits. */
    public static String newNamespace() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }

    /** Deletes every stream and KV bucket of {@code namespace}. */
    public static void deleteNamespace(String namespace) {
        try (Connection nc = Nats.connect(url())) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            String streamPrefix = namespace.toUpperCase(java.util.Locale.ROOT) + "_";
            for (String name : jsm.getStreamNames()) {
                if (name.startsWith(streamPrefix)) {
                    jsm.deleteStream(name);
                }
            }
            KeyValueManagement kvm = nc.keyValueManagement();
            for (String bucket : kvm.getBucketNames()) {
                if (bucket.startsWith(namespace + "-")) {
                    kvm.delete(bucket);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not clean namespace " + namespace, e);
        }
    }

    static boolean reachable(String natsUrl) {
        URI uri = URI.create(natsUrl);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 4222), 1000);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }
}
