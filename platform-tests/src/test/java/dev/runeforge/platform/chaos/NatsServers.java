package dev.runeforge.platform.chaos;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.runeforge.testsupport.TestNats;

/**
 * Private nats-server processes with JetStream: one server, or a cluster of routed servers on loopback, each
 * with its own store directory and ports, so a test may kill -9 and restart them without touching the shared
 * NATS other tests use. They run locked as in production ({@link Settings#secured}: TLS and the permission
 * table): {@link Settings#extraConfig} is appended to every server's config file and {@link Settings#clientUrl}
 * builds the URLs clients get.
 */
public final class NatsServers implements AutoCloseable {
    /** How to run the servers. {@code binary}: nats-server ({@link TestNats#serverBinary}). */
    public record Settings(String binary, String extraConfig, java.util.function.IntFunction<String> clientUrl) {
        /**
         * As every deployment runs the bus: TLS and the permission table's accounts for {@code namespaces}, with the
         * test suite's CA and keys ({@link TestNats#securedConfig}); clients connect with {@link TestNats#options}.
         */
        public static Settings secured(List<String> namespaces) {
            return new Settings(TestNats.serverBinary(), TestNats.securedConfig(namespaces),
                    port -> "tls://127.0.0.1:" + port);
        }
    }

    /** One server: its ports and store survive a kill, so a restart is the same server coming back. */
    public static final class Server {
        final String name;
        final int port;
        final int clusterPort;
        final Path config;
        final Path log;
        private Process process;

        Server(String name, int port, int clusterPort, Path config, Path log) {
            this.name = name;
            this.port = port;
            this.clusterPort = clusterPort;
            this.config = config;
            this.log = log;
        }

        public String name() {
            return name;
        }

        public int port() {
            return port;
        }

        public synchronized boolean running() {
            return process != null && process.isAlive();
        }

        synchronized void start(String binary) throws IOException {
            if (running()) {
                throw new IllegalStateException(name + " already runs");
            }
            process = new ProcessBuilder(binary, "-c", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        }

        /** SIGKILL: no flush, no goodbye to clients or routes. */
        public synchronized void kill9() throws InterruptedException {
            if (process != null) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }

        /** SIGTERM (lame duck is SIGUSR2; TERM is a clean stop). */
        public synchronized void stop() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        }

        long pid() {
            return process == null ? -1 : process.pid();
        }
    }

    private final Settings settings;
    private final Path dir;
    private final List<Server> servers;
    private volatile boolean keepFiles = Boolean.getBoolean("rf.chaos.keep");

    private NatsServers(Settings settings, Path dir, List<Server> servers) {
        this.settings = settings;
        this.dir = dir;
        this.servers = servers;
    }

    /** One server with JetStream. */
    public static NatsServers single(Settings settings) throws Exception {
        return start(settings, 1);
    }

    /** {@code n} routed servers (a JetStream cluster of {@code n} peers, so streams may have {@code n} replicas). */
    public static NatsServers cluster(Settings settings, int n) throws Exception {
        return start(settings, n);
    }

    private static NatsServers start(Settings settings, int n) throws Exception {
        if (settings.binary().contains("/") && !Files.isExecutable(Path.of(settings.binary()))) {
            throw new IllegalStateException("no nats-server at " + settings.binary()
                    + " (apt-get install nats-server, or set RF_TEST_NATS_SERVER)");
        }
        Path dir = Files.createTempDirectory("rf-nats-");
        List<Integer> ports = new ArrayList<>();
        List<Integer> clusterPorts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ports.add(Ports.free());
            clusterPorts.add(Ports.free());
        }
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "n" + (i + 1);
            StringBuilder conf = new StringBuilder();
            conf.append("server_name: ").append(name).append('\n')
                    .append("listen: 127.0.0.1:").append(ports.get(i)).append('\n')
                    .append("max_payload: 1MB\n")
                    .append("jetstream {\n  store_dir: \"").append(dir.resolve(name)).append("\"\n")
                    .append("  max_memory_store: 256MB\n  max_file_store: 2GB\n}\n");
            if (n > 1) {
                int self = i;
                conf.append("cluster {\n  name: rfchaos\n  listen: 127.0.0.1:").append(clusterPorts.get(i)).append('\n')
                        .append("  routes: [")
                        .append(java.util.stream.IntStream.range(0, n).filter(j -> j != self)
                                .mapToObj(j -> "nats-route://127.0.0.1:" + clusterPorts.get(j))
                                .collect(Collectors.joining(", ")))
                        .append("]\n}\n");
            }
            conf.append(settings.extraConfig()).append('\n');
            Path config = dir.resolve(name + ".conf");
            Files.writeString(config, conf);
            servers.add(new Server(name, ports.get(i), clusterPorts.get(i), config, dir.resolve(name + ".log")));
        }
        NatsServers nats = new NatsServers(settings, dir, servers);
        for (Server s : servers) {
            s.start(settings.binary());
        }
        try {
            for (Server s : servers) {
                nats.awaitListening(s, Duration.ofSeconds(20));
            }
            nats.awaitJetStream(Duration.ofSeconds(60));
        } catch (Exception e) {
            nats.keepFiles = true;
            nats.close();
            throw e;
        }
        return nats;
    }

    public List<Server> servers() {
        return servers;
    }

    /** What clients connect to: every server's URL, comma-separated (jnats tries them all and reconnects). */
    public String url() {
        return servers.stream().map(s -> settings.clientUrl().apply(s.port)).collect(Collectors.joining(","));
    }

    /** Restarts a stopped or killed server on its ports and store, and waits until it accepts connections. */
    public void restart(Server s) throws Exception {
        s.start(settings.binary());
        awaitListening(s, Duration.ofSeconds(20));
    }

    /**
     * Waits until JetStream takes a stream of as many replicas as there are servers (a cluster has elected its
     * meta leader and every peer is known): services that start earlier fail their JetStream set-up.
     */
    public void awaitJetStream(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        String probe = "RFPROBE" + Long.toHexString(System.nanoTime());
        Exception last = null;
        try (io.nats.client.Connection nc = TestNats.connect(url())) {
            while (System.nanoTime() < deadline) {
                try {
                    var jsm = nc.jetStreamManagement();
                    jsm.addStream(io.nats.client.api.StreamConfiguration.builder().name(probe).subjects(probe)
                            .replicas(servers.size()).storageType(io.nats.client.api.StorageType.Memory).build());
                    jsm.deleteStream(probe);
                    return;
                } catch (Exception e) {
                    last = e;
                    Thread.sleep(200);
                }
            }
        }
        throw new IllegalStateException("JetStream not ready within " + limit, last);
    }

    /** Keep the store and logs when closing (a failed test's evidence); also with -Drf.chaos.keep=true. */
    public void keepFiles() {
        keepFiles = true;
    }

    /** The servers' log files (for a failure's report). */
    public Path dir() {
        return dir;
    }

    private void awaitListening(Server s, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", s.port), 200);
                return;
            } catch (IOException e) {
                if (!s.running()) {
                    throw new IllegalStateException(s.name + " exited; its log: " + Files.readString(s.log));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(s.name + " not listening within " + limit);
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public void close() throws Exception {
        for (Server s : servers) {
            s.stop();
        }
        if (!keepFiles) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
