package dev.runeforge.platform;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;

/**
 * A service's jar ({@code <service>/target/<service>.jar}, built by {@code package} before failsafe runs) started as
 * a process of its own with exactly the given environment, as a container would run it; its log goes to
 * {@code target/<name>.log}. SIGTERM on {@link #close()}.
 */
final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String service;
    final int adminPort;
    private final Process process;
    private final Path log;

    private ServiceProcess(String service, int adminPort, Process process, Path log) {
        this.service = service;
        this.adminPort = adminPort;
        this.process = process;
        this.log = log;
    }

    static Path jar(String service) {
        Path jar = Path.of("..", service, "target", service + ".jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " is missing: build it first (./mvnw -pl platform-tests -am verify builds "
                    + "every service's jar before the platform tests run)");
        }
        return jar;
    }

    /**
     * Starts {@code service} with {@code env} as its whole environment (plus {@code PATH}); {@code adminPort} must be
     * the port {@code env} gives it (ADMIN_PORT, or a file's).
     */
    static ServiceProcess start(String service, String name, Map<String, String> env, int adminPort) throws IOException {
        Path log = Path.of("target", name + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC", "-Xms32m", "-Xmx192m", "-XX:TieredStopAtLevel=1", "-jar", jar(service).toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
        return new ServiceProcess(service, adminPort, pb.start(), log);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** {@code GET path} on the admin port once it answers it with 200; fails with the log's tail if the process ends. */
    JsonNode awaitJson(String path, Duration limit) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + adminPort + path);
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError(service + " exited (" + process.exitValue() + ") before " + path
                        + " answered; its log ends:\n" + tail());
            }
            try {
                HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() == 200) {
                    return Json.tree(res.body().getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(service + ": " + uri + " did not answer 200 within " + limit + "; its log ends:\n"
                        + tail());
            }
            Thread.sleep(100);
        }
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
