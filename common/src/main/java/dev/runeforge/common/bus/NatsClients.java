package dev.runeforge.common.bus;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;

/** NATS connection and JetStream topology helpers shared by the services. */
public final class NatsClients {
    private static final Logger LOG = Logger.getLogger(NatsClients.class.getName());
    /** JetStream's error code for "wrong last sequence", "key exists" and "wrong last revision". */
    public static final int WRONG_LAST_SEQUENCE = 10071;

    private NatsClients() {
    }

    /**
     * Connects and keeps reconnecting forever; the first connect also retries, so a service may start before
     * NATS does (readiness reports the difference).
     */
    public static Connection connect(String url, String connectionName) throws IOException, InterruptedException {
        Options options = Options.builder()
                .server(url)
                .connectionName(connectionName)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500))
                .connectionTimeout(Duration.ofSeconds(2))
                .pingInterval(Duration.ofSeconds(10))
                .connectionListener(new Listener(connectionName))
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection conn, String error) {
                        LOG.warning(() -> "NATS error on " + connectionName + ": " + error);
                    }

                    @Override
                    public void exceptionOccurred(Connection conn, Exception exp) {
                        LOG.log(Level.WARNING, "NATS exception on " + connectionName, exp);
                    }
                })
                .build();
        return Nats.connectReconnectOnConnect(options);
    }

    public static boolean isConnected(Connection nc) {
        return nc != null && nc.getStatus() == Connection.Status.CONNECTED;
    }

    /** Creates or updates the actions and events streams of the design, one replica each. Idempotent. */
    public static void ensureStreams(Connection nc, Subjects subjects) throws IOException, JetStreamApiException {
        ensureStreams(nc, subjects, 1);
    }

    /**
     * As {@link #ensureStreams(Connection, Subjects)} with {@code replicas} copies of each stream (3 on a 3-node
     * NATS cluster, so losing one server loses nothing and stops nothing; {@code bus.replicas}).
     */
    public static void ensureStreams(Connection nc, Subjects subjects, int replicas) throws IOException, JetStreamApiException {
        JetStreamManagement jsm = nc.jetStreamManagement();
        ensureStream(jsm, StreamConfiguration.builder()
                .name(subjects.actionsStream())
                .subjects(subjects.actionsAll())
                .storageType(StorageType.File)
                // Work queue: an action is removed once a game instance acks it after storing its events.
                .retentionPolicy(RetentionPolicy.WorkQueue)
                .replicas(replicas)
                .duplicateWindow(Duration.ofMinutes(2))
                .maxAge(Duration.ofHours(1))
                .build());
        ensureStream(jsm, StreamConfiguration.builder()
                .name(subjects.eventsStream())
                .subjects(subjects.eventsAll())
                .storageType(StorageType.File)
                .retentionPolicy(RetentionPolicy.Limits)
                .replicas(replicas)
                .duplicateWindow(Duration.ofMinutes(2))
                .maxAge(Duration.ofDays(2))
                .build());
    }

    private static void ensureStream(JetStreamManagement jsm, StreamConfiguration config)
            throws IOException, JetStreamApiException {
        List<String> names = jsm.getStreamNames();
        if (names.contains(config.getName())) {
            jsm.updateStream(config);
        } else {
            try {
                jsm.addStream(config);
            } catch (JetStreamApiException e) {
                // Another service created it between our look and our add; an update settles the config.
                jsm.updateStream(config);
            }
        }
    }

    /** Creates the room-code directory bucket if missing. */
    public static void ensureDirectory(Connection nc, Subjects subjects) throws IOException, JetStreamApiException {
        ensureDirectory(nc, subjects, 1);
    }

    public static void ensureDirectory(Connection nc, Subjects subjects, int replicas) throws IOException, JetStreamApiException {
        ensureBucket(nc, KeyValueConfiguration.builder()
                .name(subjects.directoryBucket())
                .storageType(StorageType.File)
                .maxHistoryPerKey(1)
                .replicas(replicas)
                .build());
    }

    /**
     * Creates the session directory bucket ({@code <ns>-sessions}: session id -> {@code SessionSummary}) if missing.
     * One value per key; every entry lapses {@code ttl} after its last write, so closed sessions age out (a live
     * session is rewritten whenever its membership changes, and its summary is only a cache of the event log).
     */
    /** How long a session directory entry outlives its last write unless {@code game.sessions.ttl} says otherwise. */
    public static final Duration SESSIONS_TTL = Duration.ofDays(30);

    public static KeyValue ensureSessions(Connection nc, Subjects subjects, int replicas, Duration ttl)
            throws IOException, JetStreamApiException {
        return ensureBucket(nc, KeyValueConfiguration.builder()
                .name(subjects.sessionsBucket())
                .storageType(StorageType.File)
                .maxHistoryPerKey(1)
                .ttl(ttl)
                .replicas(replicas)
                .build());
    }

    /** Creates the KV bucket {@code config} names if missing (another service may win the race) and opens it. */
    public static KeyValue ensureBucket(Connection nc, KeyValueConfiguration config) throws IOException, JetStreamApiException {
        KeyValueManagement kvm = nc.keyValueManagement();
        if (!kvm.getBucketNames().contains(config.getBucketName())) {
            try {
                kvm.create(config);
            } catch (JetStreamApiException e) {
                if (!kvm.getBucketNames().contains(config.getBucketName())) {
                    throw e;
                }
            }
        }
        return nc.keyValue(config.getBucketName());
    }

    private record Listener(String name) implements ConnectionListener {
        @Override
        public void connectionEvent(Connection conn, Events type) {
            LOG.info(() -> "NATS " + name + ": " + type.getEvent());
        }
    }
}
