package dev.runeforge.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import dev.runeforge.common.bus.NatsSettings;
import dev.runeforge.common.bus.NkeyAuth;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValueManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import javax.tools.ToolProvider;
import org.testcontainers.DockerClientFactory;

/**
 * The NATS server integration tests use: one private nats-server per test JVM, started on first use on a free
 * port, with TLS (a CA and certificate made by deploy/nats/dev-pki.sh under {@code target/test-nats/}) and the
 * bus permission table (deploy/nats/permissions.txt rendered by deploy/nats/BusAuth.java, compiled from source
 * here, so the suite runs with exactly what the deployments render). Every service a test starts connects as its
 * own identity of the table ({@link #service}); what test code does itself (publishing a made-up commit, reading
 * views, cleaning up) goes through {@link #connect()}, as the test-only identity {@link #DRIVER}, which may do
 * anything and exists in no deployment.
 *
 * <p>Every test gets its own namespace ({@link #newNamespace()}): the table's rules are added for it and the server
 * reloads its configuration (connections stay up, JetStream keeps its data), so runs never see each other's
 * streams. The server binary: {@code RF_TEST_NATS_SERVER}, else {@code /usr/sbin/nats-server} (Debian's package,
 * which scripts/provision.sh installs), else {@code nats-server} on the PATH.
 */
public final class TestNats {
    /** The test code's own identity: allowed everything. Only the test server knows it. */
    public static final String DRIVER = "test-driver";
    private static final Duration START_LIMIT = Duration.ofSeconds(30);
    private static Server server;

    private TestNats() {
    }

    /** The nats-server executable the tests start: {@code RF_TEST_NATS_SERVER}, else Debian's, else the PATH's. */
    public static String serverBinary() {
        String configured = System.getenv("RF_TEST_NATS_SERVER");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return Files.isExecutable(Path.of("/usr/sbin/nats-server")) ? "/usr/sbin/nats-server" : "nats-server";
    }

    /** The server's URL ({@code tls://127.0.0.1:<port>}); starts it on first use. */
    public static synchronized String url() {
        return server().url;
    }

    /** The CA that signed the test server's certificate (what {@code nats.tls.ca} names). */
    public static synchronized Path caFile() {
        return server().pki.resolve("ca.pem");
    }

    /** The nkey seed file of {@code identity} (a table identity, or {@link #DRIVER}). */
    public static synchronized Path seedFile(String identity) {
        Path seed = server().keys.resolve(identity + ".nk");
        if (!Files.isRegularFile(seed)) {
            throw new IllegalArgumentException("no identity " + identity + " in the permission table");
        }
        return seed;
    }

    /**
     * {@code config} plus what service {@code service} (its Main.SERVICE, the table's identity) needs to reach this
     * server: {@code nats.url}, {@code nats.nkey} (the seed itself), {@code nats.tls.ca}.
     */
    public static Map<String, String> service(String service, Map<String, String> config) {
        Map<String, String> all = new HashMap<>(config);
        all.put("nats.url", url());
        try {
            all.put("nats.nkey", Files.readString(seedFile(service)).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        all.put("nats.tls.ca", caFile().toString());
        return all;
    }

    /** The same as environment variables, for a service started as a process of its own. */
    public static Map<String, String> environment(String service) {
        return Map.of("NATS_URL", url(), "NATS_NKEY_FILE", seedFile(service).toString(),
                "NATS_TLS_CA", caFile().toString());
    }

    /** A connection as {@link #DRIVER}: test code publishing, reading and cleaning up whatever it needs. */
    public static Connection connect() throws IOException, InterruptedException {
        return Nats.connect(options(DRIVER, null).build());
    }

    /**
     * A connection as {@link #DRIVER} whose replies come to an inbox of {@code namespace}: what a test needs to ask
     * a service that answers with the table's {@code answer} verb (persistence-service) rather than NATS's
     * allow_responses, which can publish only to {@code _INBOX.<ns>.>}.
     */
    public static Connection connectIn(String namespace) throws IOException, InterruptedException {
        return Nats.connect(options(DRIVER, namespace).build());
    }

    /** A connection as {@link #DRIVER} to other servers made with {@link #securedConfig} ({@code urls}: comma-separated). */
    public static Connection connect(String urls) throws IOException, InterruptedException {
        return Nats.connect(options(DRIVER, null, urls).build());
    }

    /**
     * Options to connect as {@code identity} with TLS; with its own inbox prefix in {@code namespace} (null: the
     * default {@code _INBOX.}, which only {@link #DRIVER} may use).
     */
    public static Options.Builder options(String identity, String namespace) {
        return options(identity, namespace, url());
    }

    /**
     * The same to other servers, made with {@link #securedConfig} ({@code urls}: comma-separated, as the services'
     * {@code nats.url}).
     */
    public static Options.Builder options(String identity, String namespace, String urls) {
        Options.Builder b = Options.builder()
                .servers(urls.split(","))
                .sslContext(NatsSettings.sslContext(caFile()))
                .authHandler(NkeyAuth.fromFile(seedFile(identity)))
                // TLS and the nkey challenge on a busy shared machine: jnats' 2 s is not always enough.
                .connectionTimeout(Duration.ofSeconds(15));
        if (namespace != null) {
            b.inboxPrefix(NatsSettings.inboxPrefix(namespace, identity));
        }
        return b;
    }

    /**
     * What makes another nats-server (one a test starts, kills and restarts, alone or in a cluster) as locked as
     * this one: its {@code tls} block (the same CA and certificate, valid for 127.0.0.1) and the permission table's
     * accounts for {@code namespaces} (the same keys: {@link #seedFile}, {@link #environment} and {@link #options}
     * work against it). Appended to that server's configuration.
     */
    public static synchronized String securedConfig(List<String> namespaces) {
        Server s = server();
        return String.join("\n",
                "tls {",
                "  cert_file: \"" + s.pki.resolve("server.pem") + "\"",
                "  key_file: \"" + s.pki.resolve("server.key") + "\"",
                "  timeout: 5",
                "}",
                s.generator.render(namespaces, s.keys),
                "");
    }

    /** The environment of {@link #environment} for a service that connects to {@code urls} instead. */
    public static Map<String, String> environment(String service, String urls) {
        return Map.of("NATS_URL", urls, "NATS_NKEY_FILE", seedFile(service).toString(),
                "NATS_TLS_CA", caFile().toString());
    }

    /** A fresh namespace for subjects, streams and buckets ({@code t} + 8 hex digits), allowed by the server. */
    public static synchronized String newNamespace() {
        String ns = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        server().add(ns);
        return ns;
    }

    /** Deletes every stream and KV bucket of {@code namespace}. */
    public static void deleteNamespace(String namespace) {
        try (Connection nc = connect()) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            String streamPrefix = namespace.toUpperCase(Locale.ROOT) + "_";
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

    /** The repository's root (the directory holding deploy/nats/permissions.txt), found from the working directory. */
    public static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("deploy/nats/permissions.txt"))) {
                return p;
            }
        }
        throw new IllegalStateException("deploy/nats/permissions.txt not found above " + Path.of("").toAbsolutePath());
    }

    /**
     * deploy/nats/BusAuth.java, compiled once per JVM: the permission table's own parser and renderer, so tests read
     * the table exactly as the deployments do. Call its public static methods by reflection ({@link Generator}).
     */
    public static synchronized Generator generator() {
        return server().generator;
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

    private static Server server() {
        if (server == null) {
            try {
                server = Server.start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the test NATS server", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the test NATS server", e);
            }
        }
        return server;
    }

    /** deploy/nats/BusAuth.java loaded in this JVM. */
    public static final class Generator {
        private final Class<?> type;
        private final Path table;

        private Generator(Class<?> type, Path table) {
            this.type = type;
            this.table = table;
        }

        /** {@code BusAuth.run(args)}: the command line without exiting; returns its output, fails on a nonzero status. */
        public String run(String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = (int) call("run", new Class<?>[] {String[].class, PrintStream.class, PrintStream.class},
                    args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            if (status != 0) {
                throw new IllegalStateException("BusAuth " + String.join(" ", args) + " failed (" + status + "): "
                        + err.toString(StandardCharsets.UTF_8));
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        /** The identities of the table, in table order. */
        @SuppressWarnings("unchecked")
        public List<String> identities() {
            return (List<String>) call("identities", new Class<?>[] {List.class}, rules());
        }

        /**
         * Every identity's allowed subjects for {@code namespaces}: identity -> {"pub": [...], "sub": [...],
         * "reply": ["true"] when it may answer requests}.
         */
        public Map<String, Map<String, List<String>>> expand(List<String> namespaces) {
            Map<?, ?> perms = (Map<?, ?>) call("expand", new Class<?>[] {List.class, List.class}, rules(), namespaces);
            Map<String, Map<String, List<String>>> out = new java.util.LinkedHashMap<>();
            perms.forEach((identity, p) -> {
                try {
                    Object pub = p.getClass().getMethod("pub").invoke(p);
                    Object sub = p.getClass().getMethod("sub").invoke(p);
                    boolean reply = (boolean) p.getClass().getMethod("reply").invoke(p);
                    out.put((String) identity, Map.of("pub", List.copyOf((java.util.Collection<String>) pub),
                            "sub", List.copyOf((java.util.Collection<String>) sub), "reply", reply ? List.of("true") : List.of()));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            });
            return out;
        }

        private String render(List<String> namespaces, Path keys) {
            Function<String, String> keyRef = identity -> (String) call("publicKeyIn",
                    new Class<?>[] {Path.class, String.class}, keys, identity);
            return (String) call("render", new Class<?>[] {List.class, List.class, List.class, Function.class},
                    rules(), namespaces, List.of(DRIVER), keyRef);
        }

        private Object rules() {
            return call("parse", new Class<?>[] {Path.class}, table);
        }

        private Object call(String name, Class<?>[] types, Object... args) {
            try {
                Method m = type.getMethod(name, types);
                return m.invoke(null, args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("BusAuth." + name + ": " + e, e);
            }
        }
    }

    private static final class Server {
        private final Process process;
        private final String url;
        private final Path dir;
        private final Path pki;
        private final Path keys;
        private final Path log;
        private final Generator generator;
        private final Set<String> namespaces = new LinkedHashSet<>();

        private Server(Process process, String url, Path dir, Generator generator) {
            this.process = process;
            this.url = url;
            this.dir = dir;
            this.pki = dir.resolve("pki");
            this.keys = dir.resolve("keys");
            this.log = dir.resolve("nats.log");
            this.generator = generator;
        }

        static Server start() throws IOException, InterruptedException {
            Path root = repositoryRoot();
            Path runs = Path.of("target", "test-nats").toAbsolutePath();
            stopLeftovers(runs);
            Path dir = runs.resolve(ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8));
            Files.createDirectories(dir);
            exec(dir, "bash", root.resolve("deploy/nats/dev-pki.sh").toString(), dir.resolve("pki").toString());
            Generator generator = compile(root, dir.resolve("classes"));
            generator.run("keys", "--table", generator.table.toString(), "--dir", dir.resolve("keys").toString(),
                    "--identity", DRIVER);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Files.writeString(dir.resolve("accounts.conf"), generator.render(List.of(), dir.resolve("keys")));
            Files.writeString(dir.resolve("nats.conf"), String.join("\n",
                    "# The test suite's private server (dev.runeforge.testsupport.TestNats).",
                    "server_name: rf-test-" + port,
                    "listen: 127.0.0.1:" + port,
                    "jetstream { store_dir: \"" + dir.resolve("jetstream") + "\" }",
                    "tls {",
                    "  cert_file: \"" + dir.resolve("pki/server.pem") + "\"",
                    "  key_file: \"" + dir.resolve("pki/server.key") + "\"",
                    "  timeout: 5",
                    "}",
                    "include ./accounts.conf",
                    ""));
            Process process = new ProcessBuilder(serverBinary(), "-c", dir.resolve("nats.conf").toString(),
                    "-l", dir.resolve("nats.log").toString(), "-P", dir.resolve("nats.pid").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("nats.out").toFile())
                    .start();
            Server server = new Server(process, "tls://127.0.0.1:" + port, dir, generator);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "test-nats-stop"));
            long deadline = System.nanoTime() + START_LIMIT.toNanos();
            while (!server.logged("Server is ready")) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("nats-server did not start (" + dir + "): " + server.tail());
                }
                Thread.sleep(20);
            }
            return server;
        }

        /** Adds {@code ns}'s rules and reloads the server's configuration; returns once it has. */
        void add(String ns) {
            if (!namespaces.add(ns)) {
                return;
            }
            try {
                long before = count("Reloaded server configuration");
                Path conf = dir.resolve("accounts.conf");
                Path tmp = dir.resolve("accounts.conf.tmp");
                Files.writeString(tmp, generator.render(new ArrayList<>(namespaces), keys));
                Files.move(tmp, conf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                exec(dir, "kill", "-HUP", Long.toString(process.pid()));
                long deadline = System.nanoTime() + START_LIMIT.toNanos();
                while (count("Reloaded server configuration") <= before) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("nats-server did not reload its configuration for " + ns + ": " + tail());
                    }
                    Thread.sleep(5);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private boolean logged(String text) throws IOException {
            return count(text) > 0;
        }

        private long count(String text) throws IOException {
            if (!Files.exists(log)) {
                return 0;
            }
            try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
                return lines.filter(l -> l.contains(text)).count();
            }
        }

        private String tail() {
            try {
                List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
                List<String> out = Files.exists(dir.resolve("nats.out")) ? Files.readAllLines(dir.resolve("nats.out")) : List.of();
                List<String> all = new ArrayList<>(out);
                all.addAll(lines.subList(Math.max(0, lines.size() - 20), lines.size()));
                return String.join("\n", all);
            } catch (IOException e) {
                return e.toString();
            }
        }

        private void stop() {
            process.destroy();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // The JetStream store can be large; the log, config and keys stay for a look after a failure.
            try (Stream<Path> files = Files.walk(dir.resolve("jetstream"))) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // nothing to clean
            }
        }

        /**
         * Stops the servers that earlier test JVMs of this module left running (a JVM killed before its shutdown hook
         * ran): a run directory is named after its JVM's pid, and its server's pid file says which process to stop,
         * which is stopped only while its command line still names that directory's config.
         */
        private static void stopLeftovers(Path runs) {
            if (!Files.isDirectory(runs)) {
                return;
            }
            try (Stream<Path> dirs = Files.list(runs)) {
                for (Path run : dirs.toList()) {
                    String owner = run.getFileName().toString().split("-")[0];
                    Path pidFile = run.resolve("nats.pid");
                    if (!owner.matches("\\d+") || ProcessHandle.of(Long.parseLong(owner)).isPresent()
                            || !Files.isRegularFile(pidFile)) {
                        continue;
                    }
                    String pid = Files.readString(pidFile).strip();
                    if (!pid.matches("\\d+")) {
                        continue;
                    }
                    String config = run.resolve("nats.conf").toString();
                    ProcessHandle.of(Long.parseLong(pid))
                            .filter(p -> p.info().arguments().map(a -> List.of(a).contains(config)).orElse(false))
                            .ifPresent(ProcessHandle::destroy);
                }
            } catch (IOException e) {
                // best effort: a leftover server only holds a port and some disk
            }
        }


        /** Compiles deploy/nats/BusAuth.java into {@code classes} and loads it. */
        private static Generator compile(Path root, Path classes) throws IOException {
            Path source = root.resolve("deploy/nats/BusAuth.java");
            Files.createDirectories(classes);
            var compiler = ToolProvider.getSystemJavaCompiler();
            if (compiler == null) {
                throw new IllegalStateException("the tests need a JDK (javax.tools) to compile " + source);
            }
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            int status = compiler.run(null, null, errors, "-d", classes.toString(), "-proc:none", source.toString());
            if (status != 0) {
                throw new IllegalStateException("cannot compile " + source + ": " + errors.toString(StandardCharsets.UTF_8));
            }
            URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, TestNats.class.getClassLoader());
            try {
                return new Generator(loader.loadClass("BusAuth"), root.resolve("deploy/nats/permissions.txt"));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }

        private static void exec(Path dir, String... command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        }
    }
}
