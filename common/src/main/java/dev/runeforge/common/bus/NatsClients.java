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
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.KeyValueOptions;
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
    /**
     * Creating or updating a stream or bucket waits this long for JetStream's answer, not jnats' 2 s: on a 3-node
     * cluster a replicated stream's update is agreed by its peers, which took longer than 2 s on the busy 2-core
     * test machine and failed a game instance's start (BusAndDatabaseChaosIT).
     */
    static final Duration TOPOLOGY_TIMEOUT = Duration.ofSeconds(15);
    private static final JetStreamOptions TOPOLOGY = JetStreamOptions.builder().requestTimeout(TOPOLOGY_TIMEOUT).build();

    private NatsClients() {
    }

    /**
     * Connects as {@code settings} say (its nkey, TLS against its CA, its own inbox prefix) and keeps reconnecting
     * forever; the first connect also retries, so a service may start before NATS does (readiness reports the
     * difference). A server that refuses the identity or a subject is logged through the error listener
     * ("Authorization Violation", "Permissions Violation for Publish to ...").
     */
    public static Connection connect(NatsSettings settings, String inboxPrefix, String connectionName)
            throws IOException, InterruptedException {
        if (!settings.tls()) {
            LOG.warning(() -> "NATS " + connectionName + ": no TLS (nats.url " + settings.url()
                    + " and no nats.tls.ca): for a development server only");
        }
        if (settings.auth().isEmpty()) {
            LOG.warning(() -> "NATS " + connectionName + ": no credentials (nats.nkey: NATS_NKEY or NATS_NKEY_FILE): only an open server will take this connection");
        }
        Options.Builder options = Options.builder()
                .server(settings.url())
                .connectionName(connectionName)
                .inboxPrefix(inboxPrefix)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500))
                // A TLS handshake and the nkey challenge on a busy 2-core machine can take longer than jnats' 2 s.
                .connectionTimeout(Duration.ofSeconds(settings.tls() ? 5 : 2))
                .pingInterval(Duration.ofSeconds(10))
                // jnats fails a request whose time is up when it next sweeps its requests: every second, not every 5,
                // so a request waited for without a timer of its own (SessionLog#append) fails at most 1 s late.
                .requestCleanupInterval(REQUEST_SWEEP)
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
                });
        settings.auth().ifPresent(options::authHandler);
        settings.tlsCa().ifPresent(ca -> options.sslContext(NatsSettings.sslContext(ca)));
        if (settings.tls() && settings.tlsCa().isEmpty()) {
            try {
                options.secure();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IOException("no default TLS context", e);
            }
        }
        return Nats.connectReconnectOnConnect(options.build());
    }

    /** How often jnats fails the requests whose time is up ({@link Options.Builder#requestCleanupInterval}). */
    public static final Duration REQUEST_SWEEP = Duration.ofSeconds(1);

    public static boolean isConnected(Connection nc) {
        return nc != null && nc.getStatus() == Connection.Status.CONNECTED;
    }

    /** Creates or updates the events stream (the log), one replica. Idempotent. */
    public static void ensureStreams(Connection nc, Subjects subjects) throws IOException, JetStreamApiException {
        ensureStreams(nc, subjects, 1);
    }

    /**
     * As {@link #ensureStreams(Connection, Subjects)} with {@code replicas} copies (3 on a 3-node NATS cluster, so
     * losing one server loses nothing and stops nothing; {@code bus.replicas}). Actions have no stream: they are
     * core NATS requests that the gateway repeats, with the same id, until the owning game instance answers
     * (docs/architecture.md, The action path); what must last is the commit in this log.
     */
    public static void ensureStreams(Connection nc, Subjects subjects, int replicas) throws IOException, JetStreamApiException {
        JetStreamManagement jsm = nc.jetStreamManagement(TOPOLOGY);
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

    /** JetStream's "stream not found" (a bucket is a stream too). */
    public static final int NO_STREAM = 10059;

    /**
     * Looks the stream up by name and creates or updates it. By name, never by listing every stream: the permission
     * table lets each service see only the streams it uses.
     */
    private static void ensureStream(JetStreamManagement jsm, StreamConfiguration config)
            throws IOException, JetStreamApiException {
        boolean created = false;
        try {
            jsm.getStreamInfo(config.getName());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != NO_STREAM) {
                throw e;
            }
            try {
                jsm.addStream(config);
                created = true;
            } catch (JetStreamApiException raced) {
                // Another service created it between our look and our add; an update settles the config.
            }
        }
        if (!created) {
            jsm.updateStream(config);
        }
        awaitLeader(jsm, config.getName());
    }

    /** How long {@link #awaitLeader} waits for a replicated stream to elect its leader. */
    static final Duration LEADER_WAIT = Duration.ofSeconds(30);

    /**
     * Waits until a stream of several replicas has a leader: one created a moment ago on a NATS cluster has none
     * yet, and a publish to it is answered "no responders". Found starting the platform on a 3-node cluster with
     * {@code bus.replicas=3} (BusAndDatabaseChaosIT): a game instance's first write to its fresh member bucket
     * failed and the instance could not start. A single server's streams have no cluster info and pass at once.
     */
    static void awaitLeader(JetStreamManagement jsm, String stream) throws IOException, JetStreamApiException {
        long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
        while (true) {
            var info = jsm.getStreamInfo(stream);
            var cluster = info.getClusterInfo();
            if (info.getConfiguration().getReplicas() <= 1 || cluster == null
                    || (cluster.getLeader() != null && !cluster.getLeader().isEmpty())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                LOG.warning(() -> "stream " + stream + " has no leader after " + LEADER_WAIT + "; going on");
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Creates (or updates, see {@link #ensureBucket}) the room-code directory bucket. */
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

    /** How long a session directory entry outlives its last write unless {@code game.sessions.ttl} says otherwise. */
    public static final Duration SESSIONS_TTL = Duration.ofDays(30);

    /**
     * Creates (or updates, see {@link #ensureBucket}) the session directory bucket ({@code <ns>-sessions}: session id
     * -> {@code SessionSummary}). One value per key; every entry lapses {@code ttl} after its last write, so closed
     * sessions age out (a live session is rewritten whenever its membership changes, and its summary is only a
     * cache of the event log).
     */
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

    /**
     * Creates the KV bucket {@code config} names if missing (another service may win the race), or brings an existing
     * one to {@code config} (TTL, history, replicas, size limits) when it differs, and opens it. A setting kept in a
     * bucket's configuration ({@code game.lease.ttl}, {@code game.sessions.ttl}, ...) so takes effect at the next
     * start, not only on a fresh namespace. The storage type cannot change in place: a bucket keeps its own (logged).
     */
    public static KeyValue ensureBucket(Connection nc, KeyValueConfiguration config) throws IOException, JetStreamApiException {
        KeyValueManagement kvm = nc.keyValueManagement(KeyValueOptions.builder().jetStreamOptions(TOPOLOGY).build());
        JetStreamManagement jsm = nc.jetStreamManagement(TOPOLOGY);
        String name = config.getBucketName();
        // By name, never by listing every bucket: the permission table lets each service see only its own.
        try {
            kvm.getStatus(name);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != NO_STREAM) {
                throw e;
            }
            try {
                kvm.create(config);
                awaitLeader(jsm, "KV_" + name);
                return nc.keyValue(name);
            } catch (JetStreamApiException raced) {
                try {
                    kvm.getStatus(name);
                } catch (JetStreamApiException stillMissing) {
                    throw raced;
                }
            }
        }
        KeyValueConfiguration current = kvm.getStatus(name).getConfiguration();
        KeyValueConfiguration wanted = config;
        if (current.getStorageType() != config.getStorageType()) {
            LOG.warning(() -> "KV bucket " + name + " is stored in " + current.getStorageType() + ", not "
                    + config.getStorageType() + " (storage cannot change in place; delete the bucket to change it)");
            wanted = KeyValueConfiguration.builder(config).storageType(current.getStorageType()).build();
        }
        List<String> changes = bucketChanges(current, wanted);
        if (!changes.isEmpty()) {
            updateBucket(jsm, current, wanted);
            LOG.info(() -> "KV bucket " + name + " updated: " + String.join(", ", changes));
        }
        awaitLeader(jsm, "KV_" + name);
        return nc.keyValue(name);
    }

    /**
     * Updates the bucket's backing stream rather than through {@code KeyValueManagement.update}: that sends no
     * duplicate window, which the server then sets to 2 minutes and refuses as longer than a short TTL ("duplicates
     * window can not be larger then max age"). Here the window is what the server gives a new bucket: its TTL, at
     * most 2 minutes.
     */
    private static void updateBucket(JetStreamManagement jsm, KeyValueConfiguration current, KeyValueConfiguration wanted)
            throws IOException, JetStreamApiException {
        Duration ttl = orZero(wanted.getTtl());
        Duration window = ttl.isZero() || ttl.compareTo(Duration.ofMinutes(2)) > 0 ? Duration.ofMinutes(2) : ttl;
        jsm.updateStream(StreamConfiguration.builder(current.getBackingConfig())
                .maxAge(ttl)
                .duplicateWindow(window)
                .maxMessagesPerSubject(wanted.getMaxHistoryPerKey())
                .replicas(wanted.getReplicas())
                .maxBytes(wanted.getMaxBucketSize())
                .maximumMessageSize(wanted.getMaximumValueSize())
                .build());
    }

    /** What {@link #ensureBucket} would change in {@code current} to match {@code wanted}, as "what old -> new". */
    public static List<String> bucketChanges(KeyValueConfiguration current, KeyValueConfiguration wanted) {
        List<String> changes = new java.util.ArrayList<>();
        change(changes, "ttl", orZero(current.getTtl()), orZero(wanted.getTtl()));
        change(changes, "history", current.getMaxHistoryPerKey(), wanted.getMaxHistoryPerKey());
        change(changes, "replicas", current.getReplicas(), wanted.getReplicas());
        change(changes, "max bucket size", current.getMaxBucketSize(), wanted.getMaxBucketSize());
        change(changes, "max value size", current.getMaximumValueSize(), wanted.getMaximumValueSize());
        return changes;
    }

    private static Duration orZero(Duration d) {
        return d == null ? Duration.ZERO : d;
    }

    private static void change(List<String> changes, String what, Object current, Object wanted) {
        if (!current.equals(wanted)) {
            changes.add(what + " " + current + " -> " + wanted);
        }
    }

    private record Listener(String name) implements ConnectionListener {
        @Override
        public void connectionEvent(Connection conn, Events type) {
            LOG.info(() -> "NATS " + name + ": " + type.getEvent());
        }
    }
}
