package dev.runeforge.platform.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service as its own JVM, started from its packaged jar ({@code <service>/target/<service>.jar}) with its
 * settings as environment variables (key {@code a.b.c} -> {@code A_B_C}), its admin port (and the gateway's HTTP
 * port) free loopback ports chosen here and kept across restarts. May be killed ({@code kill -9}), stopped
 * (SIGTERM) and started again; each start is a new process with a log of its own.
 */
public final class ServiceProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String service;
    private final String name;
    private final Map<String, String> settings;
    private final List<String> jvm;
    private final Path logDir;
    private final int adminPort;
    private Process process;
    private int generation;
    private long startedNanos;
    private String instanceId;

    /**
     * @param service  the module and jar name, e.g. {@code game-instance-service}
     * @param name     this process's name in logs and reports ({@code game-1}); a game instance's lease id is
     *                 {@code <name>-g<generation>} unless {@code game.instance} is set
     * @param settings configuration keys ({@code nats.url}, ...) and their values
     * @param jvm      JVM options before {@code -jar}
     */
    public ServiceProcess(String service, String name, Map<String, String> settings, List<String> jvm, Path logDir)
            throws IOException {
        this.service = service;
        this.name = name;
        this.settings = new LinkedHashMap<>(settings);
        this.jvm = List.copyOf(jvm);
        this.logDir = logDir;
        this.adminPort = Ports.free();
        this.settings.put("admin.port", Integer.toString(adminPort));
        this.settings.put("admin.host", "127.0.0.1");
        Files.createDirectories(logDir);
    }

    /** The jar of {@code service}: the reactor's build output, found from this module's or the root's directory. */
    public static Path jar(String service) {
        for (Path base : List.of(Path.of(".."), Path.of("."))) {
            Path jar = base.resolve(service).resolve("target").resolve(service + ".jar").toAbsolutePath().normalize();
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException("no " + service + "/target/" + service + ".jar: run through Maven verify "
                + "(failsafe runs after package), e.g. -pl platform-tests -am");
    }

    /** The environment variable of a key: {@code a.b-c} -> {@code A_B_C}. */
    static String env(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public String name() {
        return name;
    }

    public String service() {
        return service;
    }

    public int adminPort() {
        return adminPort;
    }

    public synchronized String setting(String key) {
        return settings.get(key);
    }

    /** Changes a setting for the next start (a new NATS URL, say). */
    public synchronized void set(String key, String value) {
        settings.put(key, value);
    }

    /** A game instance's id in the lease bucket for the current process. */
    public synchronized String instanceId() {
        return instanceId;
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Starts a new process (the previous one must be gone); returns at once, see {@link #awaitReady}. */
    public synchronized ServiceProcess start() throws IOException {
        if (alive()) {
            throw new IllegalStateException(name + " is running");
        }
        generation++;
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.add("-jar");
        command.add(jar(service).toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logDir.resolve(name + "-g" + generation + ".log").toFile());
        Map<String, String> env = pb.environment();
        // Only what we give: a developer's NATS_URL or DB_URL must not leak in.
        env.keySet().removeIf(k -> k.startsWith("NATS_") || k.startsWith("DB_") || k.startsWith("BUS_")
                || k.startsWith("GAME_") || k.startsWith("GATEWAY_") || k.startsWith("AUTH_") || k.startsWith("HTTP_")
                || k.startsWith("LIVEKIT_") || k.equals("RF_CONFIG"));
        Map<String, String> effective = new LinkedHashMap<>(settings);
        if (service.equals("game-instance-service") && !effective.containsKey("game.instance")) {
            effective.put("game.instance", name + "-g" + generation);
        }
        instanceId = effective.get("game.instance");
        effective.forEach((k, v) -> env.put(env(k), v));
        startedNanos = System.nanoTime();
        process = pb.start();
        return this;
    }

    /** Waits for {@code /ready} to answer 200; returns the time from this process's start, in ms. */
    public long awaitReady(Duration limit) throws Exception {
        long started;
        Process p;
        synchronized (this) {
            started = startedNanos;
            p = process;
        }
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            if (ready()) {
                return (System.nanoTime() - started) / 1_000_000;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited (" + p.exitValue() + ") before it was ready; see "
                        + logDir.resolve(name + "-g" + generation + ".log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " not ready within " + limit);
            }
            Thread.sleep(20);
        }
    }

    public boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ready"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** One counter or gauge from {@code /metrics} (summed over its label sets); NaN when unreachable. */
    public double metric(String name) {
        try {
            String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** kill -9: no drain, no release, no goodbye. */
    public void kill9() throws InterruptedException {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM, then waits up to {@code limit} for the process to end (kill -9 past it); true if it ended by itself. */
    public boolean term(Duration limit) throws InterruptedException {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p == null || !p.isAlive()) {
            return true;
        }
        p.destroy();
        if (p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            return true;
        }
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        return false;
    }

    /** The current process's log, for a failure's report. */
    public Path log() {
        return logDir.resolve(name + "-g" + generation + ".log");
    }

    @Override
    public String toString() {
        return name + (instanceId != null ? " (" + instanceId + ")" : "") + " pid " + pid();
    }
}
