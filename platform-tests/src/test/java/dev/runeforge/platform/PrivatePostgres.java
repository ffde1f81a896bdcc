package dev.runeforge.platform;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of this test's own (initdb into a temp dir, pg_ctl on a free port), so a test may stop
 * and start it without touching the PostgreSQL other tests share. Uses the Debian server binaries
 * ({@code /usr/lib/postgresql/<version>/bin}, or {@code RF_TEST_PG_BIN}); as root, it runs them as the
 * {@code postgres} user, since PostgreSQL refuses to run as root.
 */
public final class PrivatePostgres implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;
    private boolean running;

    private PrivatePostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    public static PrivatePostgres create() throws Exception {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("rf-pg-");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            exec(List.of("chown", "postgres:postgres", dir.toString()), 10);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PrivatePostgres pg = new PrivatePostgres(bin, dir, port, root);
        pg.run(30, pg.bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions");
        return pg;
    }

    private static Path binaries() throws IOException {
        String configured = System.getenv("RF_TEST_PG_BIN");
        if (configured != null) {
            return Path.of(configured);
        }
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            throw new IllegalStateException("no PostgreSQL server binaries under " + base
                    + " (apt-get install postgresql, or set RF_TEST_PG_BIN)");
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                    .map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL server binaries under " + base
                            + " (apt-get install postgresql, or set RF_TEST_PG_BIN)"));
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public void createDatabase(String name) throws Exception {
        try (var c = DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "");
             var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
    }

    public void start() throws Exception {
        run(60, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "50", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
                "start");
        running = true;
    }

    /** Fast shutdown: connected clients are cut off, as when a database host goes away. */
    public void stop() throws Exception {
        run(60, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "50", "stop");
        running = false;
    }

    @Override
    public void close() throws Exception {
        try {
            if (running) {
                stop();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void run(int timeoutSeconds, String... command) throws Exception {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        exec(full, timeoutSeconds);
    }

    private static void exec(List<String> command, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String[] output = new String[1];
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                output[0] = new String(p.getInputStream().readAllBytes());
            } catch (IOException e) {
                output[0] = e.toString();
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        reader.join(5_000);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + output[0]);
        }
    }
}
