package dev.runeforge.platform.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.runeforge.common.bus.Subjects;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;

/**
 * The whole platform as separate JVMs: auth, persistence, media-token, {@code games} game instances and one
 * gateway (more may be added), each started from its packaged jar against {@code natsUrl} and a PostgreSQL
 * database, in a namespace of its own. Every process can be killed, stopped and started again
 * ({@link ServiceProcess}); a gateway can be replaced by a new process on a new port, as a load balancer would
 * send reconnecting players to another gateway.
 */
public final class ProcessPlatform implements AutoCloseable {
    /** Partitions of the game (64 as in production, so ownership moves in realistic slices). */
    public static final int PARTITIONS = 64;
    /** The secret sealing auth-service's signing keys (any 32 bytes; every auth process must share it). */
    static final String KEY_SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    /**
     * {@code namespace}: the bus namespace, one the NATS at {@code natsUrl} has the permission table's rules for
     * ({@link TestNats#newNamespace} on the suite's server, or what a private one was made with,
     * {@link NatsServers.Settings#secured}).
     */
    public record Options(String natsUrl, String namespace, String dbUrl, String dbUser, int games, int replicas,
                          Map<String, String> extra, List<String> jvm) {
        public Options {
            extra = Map.copyOf(extra);
            jvm = List.copyOf(jvm);
        }

        /** On the suite's NATS, in a fresh namespace. */
        public static Options of(String dbUrl, int games) {
            return new Options(TestNats.url(), TestNats.newNamespace(), dbUrl, "postgres", games, 1, Map.of(),
                    defaultJvm());
        }

        /** On private servers made for {@code namespace}. */
        public static Options of(NatsServers nats, String namespace, String dbUrl, int games) {
            return new Options(nats.url(), namespace, dbUrl, "postgres", games, 1, Map.of(), defaultJvm());
        }

        public Options replicas(int n) {
            return new Options(natsUrl, namespace, dbUrl, dbUser, games, n, extra, jvm);
        }

        public Options dbUser(String user) {
            return new Options(natsUrl, namespace, dbUrl, user, games, replicas, extra, jvm);
        }

        public Options games(int n) {
            return new Options(natsUrl, namespace, dbUrl, dbUser, n, replicas, extra, jvm);
        }

        public Options with(Map<String, String> more) {
            Map<String, String> all = new HashMap<>(extra);
            all.putAll(more);
            return new Options(natsUrl, namespace, dbUrl, dbUser, games, replicas, all, jvm);
        }
    }

    /**
     * Lean JVMs for a 2-core box: serial GC, small heaps, C1 only; plus {@code rf.chaos.jvm} (space-separated,
     * e.g. an {@code -XX:AOTCache=…}).
     */
    public static List<String> defaultJvm() {
        List<String> jvm = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Xss512k", "-XX:CICompilerCount=1"));
        String more = System.getProperty("rf.chaos.jvm", "").trim();
        if (!more.isEmpty()) {
            jvm.addAll(List.of(more.split("\\s+")));
        }
        return jvm;
    }

    public final String namespace;
    public final Subjects subjects;
    private final Options options;
    private final Path logDir;
    private final Map<String, String> common;
    public final ServiceProcess auth;
    public final ServiceProcess persistence;
    public final ServiceProcess media;
    public final List<ServiceProcess> games = new CopyOnWriteArrayList<>();
    private final List<ServiceProcess> gateways = new CopyOnWriteArrayList<>();
    private final Map<ServiceProcess, Integer> httpPorts = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int gatewayCount;

    public ProcessPlatform(Options options) throws Exception {
        this.options = options;
        this.namespace = options.namespace();
        this.subjects = new Subjects(namespace);
        this.logDir = Path.of("target", "chaos", namespace).toAbsolutePath();
        common = new LinkedHashMap<>();
        common.put("bus.namespace", namespace);
        common.put("nats.url", options.natsUrl());
        common.put("nats.tls.ca", TestNats.caFile().toString());
        common.put("bus.replicas", Integer.toString(options.replicas()));
        common.put("game.partitions", Integer.toString(PARTITIONS));
        common.put("dev.mode", "true");
        common.put("auth.keys.secret", KEY_SECRET);
        // Every test player comes from 127.0.0.1, and rolls faster than a person: lift the per-address limits
        // (sockets too: 100 rooms' players are more than the 64 one network may hold open).
        common.put("gateway.rooms.burst", "100000");
        common.put("gateway.signin.burst", "100000");
        common.put("gateway.permalinks.burst", "100000");
        common.put("gateway.connections.per.address", "100000");
        common.put("game.dice.rolls.limit", "1000000");
        common.put("LOG_LEVEL", System.getProperty("rf.chaos.logLevel", "INFO"));
        common.putAll(options.extra());
        Map<String, String> db = new LinkedHashMap<>(common);
        db.put("db.url", options.dbUrl());
        db.put("db.user", options.dbUser());
        db.put("db.password", "");
        auth = new ServiceProcess("auth-service", "auth", as("auth-service", common), options.jvm(), logDir);
        persistence = new ServiceProcess("persistence-service", "persistence", as("persistence-service", db),
                options.jvm(), logDir);
        media = new ServiceProcess("media-token-service", "media", as("media-token-service", common), options.jvm(),
                logDir);
        for (int i = 1; i <= options.games(); i++) {
            games.add(new ServiceProcess("game-instance-service", "game-" + i, as("game-instance-service", common),
                    options.jvm(), logDir));
        }
        List<ServiceProcess> all = new ArrayList<>(List.of(auth, persistence, media));
        all.addAll(games);
        ServiceProcess gateway = newGateway();
        all.add(gateway);
        gateways.add(gateway);
        try {
            for (ServiceProcess p : all) {
                p.start();
            }
            for (ServiceProcess p : all) {
                try {
                    p.awaitReady(Duration.ofSeconds(120));
                } catch (IllegalStateException e) {
                    if (p.alive()) {
                        throw e;
                    }
                    // A service exits when its first JetStream call fails (ServiceRuntime), as one did against a
                    // 3-node cluster still electing stream leaders at load 30; a supervisor starts it again, so
                    // does this harness, once.
                    System.out.println("[chaos] " + e.getMessage() + "; starting it once more, as a supervisor would");
                    p.start();
                    p.awaitReady(Duration.ofSeconds(120));
                }
            }
        } catch (Exception e) {
            System.out.println("[chaos] the platform did not start; process logs in " + logDir);
            close(); // no JVM of ours outlives a failed start
            throw e;
        }
    }

    /**
     * {@code settings} plus the bus identity of {@code service}: its seed file, through {@code NATS_NKEY_FILE}
     * (the key {@code nats.nkey-file} becomes that variable, as a mounted secret would be named).
     */
    private static Map<String, String> as(String service, Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.put("nats.nkey-file", TestNats.seedFile(service).toString());
        return all;
    }

    /** A connection as the test suite's own identity ({@link TestNats#DRIVER}) to this platform's NATS. */
    public Connection connectBus() throws Exception {
        return TestNats.connect(options.natsUrl());
    }

    private ServiceProcess newGateway() throws Exception {
        Map<String, String> settings = as("gateway-service", common);
        int port = Ports.free();
        settings.put("http.port", Integer.toString(port));
        settings.put("http.host", "127.0.0.1");
        ServiceProcess gateway = new ServiceProcess("gateway-service", "gateway-" + ++gatewayCount, settings,
                options.jvm(), logDir);
        synchronized (httpPorts) {
            httpPorts.put(gateway, port);
        }
        return gateway;
    }

    /** Starts one more gateway process on a port of its own; returns once it is ready. */
    public ServiceProcess addGateway() throws Exception {
        ServiceProcess gateway = newGateway().start();
        gateway.awaitReady(Duration.ofSeconds(120));
        gateways.add(gateway);
        return gateway;
    }

    /**
     * Starts a new gateway process in place of {@code old} (killed or being killed): players who reconnect are
     * sent to the new one as soon as it runs. Returns at once; {@link ServiceProcess#awaitReady} it.
     */
    public ServiceProcess replaceGateway(ServiceProcess old) throws Exception {
        ServiceProcess gateway = newGateway().start();
        gateways.add(gateway);
        gateways.remove(old);
        return gateway;
    }

    /** Takes a gateway out of the list players connect to (before it is killed). */
    public void retire(ServiceProcess gateway) {
        gateways.remove(gateway);
    }

    public List<ServiceProcess> gateways() {
        return List.copyOf(gateways);
    }

    public int httpPort(ServiceProcess gateway) {
        synchronized (httpPorts) {
            return httpPorts.get(gateway);
        }
    }

    /** The WebSocket URL of a live gateway, the {@code i}-th modulo their number (a load balancer's pick). */
    public URI ws(int i) {
        List<ServiceProcess> live = gateways.stream().filter(ServiceProcess::alive).toList();
        if (live.isEmpty()) {
            return null;
        }
        return URI.create("ws://127.0.0.1:" + httpPort(live.get(Math.floorMod(i, live.size()))) + "/ws");
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + httpPort(gateways.getFirst()) + path);
    }

    /** Signs in as a guest through a gateway; returns the Cookie header value. */
    public String guest(String name) throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                HttpResponse<String> res = http.send(HttpRequest.newBuilder(http("/api/auth/guest"))
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() == 200) {
                    String setCookie = res.headers().firstValue("Set-Cookie").orElseThrow();
                    return setCookie.substring(0, setCookie.indexOf(';'));
                }
                last = new IllegalStateException("guest sign-in: " + res.statusCode() + " " + res.body());
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw last;
    }

    /** Partition -> owning game instance id, from the lease bucket. */
    public Map<Integer, String> leases(Connection nc) throws Exception {
        KeyValueManagement kvm = nc.keyValueManagement();
        if (!kvm.getBucketNames().contains(subjects.namespace() + "-leases")) {
            return Map.of();
        }
        KeyValue kv = nc.keyValue(subjects.namespace() + "-leases");
        Map<Integer, String> owners = new HashMap<>();
        for (String key : kv.keys()) {
            var e = kv.get(key);
            if (e != null && e.getValue() != null && e.getValue().length > 0) {
                owners.put(Integer.parseInt(key.substring(1)), e.getValueAsString());
            }
        }
        return owners;
    }

    /** The game process whose current instance id is {@code id}. */
    public ServiceProcess game(String id) {
        return games.stream().filter(g -> id.equals(g.instanceId())).findFirst().orElse(null);
    }

    /** Waits until every partition has a live owner; returns how long that took, in ms. */
    public long awaitAllOwned(Connection nc, Duration limit) throws Exception {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        while (true) {
            Map<Integer, String> owners = leases(nc);
            List<String> live = games.stream().filter(ServiceProcess::alive).map(ServiceProcess::instanceId).toList();
            if (owners.size() == PARTITIONS && live.containsAll(owners.values())) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("partitions not all owned within " + limit + ": " + owners);
            }
            Thread.sleep(100);
        }
    }

    /** Sum of a metric over the live game instances. */
    public double gameMetric(String name) {
        return games.stream().filter(ServiceProcess::alive).mapToDouble(g -> g.metric(name)).sum();
    }

    public List<ServiceProcess> all() {
        List<ServiceProcess> all = new ArrayList<>(List.of(auth, persistence, media));
        all.addAll(games);
        all.addAll(gateways);
        return all;
    }

    public Path logDir() {
        return logDir;
    }

    @Override
    public void close() throws Exception {
        // Gateways first (players go), then the rest; SIGTERM so they drain, kill -9 past 20 s.
        List<Thread> stops = new ArrayList<>();
        for (ServiceProcess p : all()) {
            stops.add(Thread.ofVirtual().start(() -> {
                try {
                    p.term(Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : stops) {
            t.join();
        }
    }
}
