package dev.runeforge.common.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.json.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The operator-facing port every service opens: {@code /health} (the process is alive), {@code /ready} (every
 * dependency check passes; 503 with the failing ones otherwise), {@code /metrics} (Prometheus text) and
 * {@code /settings} (the settings it runs with, secrets masked).
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AdminServer.class.getName());

    private final PrometheusMeterRegistry registry;
    private final Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
    private final String service;
    private volatile Supplier<Object> settings = Map::of;
    private volatile WebServer server;
    private volatile boolean shuttingDown;

    public AdminServer(String service) {
        this.service = Objects.requireNonNull(service);
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", service);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Adds a readiness check; call before {@link #start}. A check that throws counts as failing. */
    public AdminServer readiness(String name, BooleanSupplier check) {
        checks.put(name, check);
        return this;
    }

    /** What {@code GET /settings} shows: the settings the service runs with (secrets masked by the caller). */
    public AdminServer settings(Supplier<Object> view) {
        this.settings = Objects.requireNonNull(view);
        return this;
    }

    public AdminServer start(String host, int port) {
        server = WebServer.builder()
                .host(host)
                .port(port)
                .shutdownHook(false)
                .routing(r -> r
                        .get("/health", (req, res) -> {
                            res.header(HeaderNames.CONTENT_TYPE, "application/json");
                            res.send(Json.text(Map.of("status", "UP", "service", service)));
                        })
                        .get("/ready", (req, res) -> {
                            Map<String, String> result = new LinkedHashMap<>();
                            boolean ready = !shuttingDown;
                            for (var check : checks.entrySet()) {
                                boolean ok = safely(check.getValue());
                                ready &= ok;
                                result.put(check.getKey(), ok ? "UP" : "DOWN");
                            }
                            if (shuttingDown) {
                                result.put("shutdown", "IN_PROGRESS");
                            }
                            res.status(ready ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
                            res.header(HeaderNames.CONTENT_TYPE, "application/json");
                            res.send(Json.text(Map.of("status", ready ? "UP" : "DOWN", "checks", result)));
                        })
                        .get("/settings", (req, res) -> {
                            res.header(HeaderNames.CONTENT_TYPE, "application/json");
                            res.send(Json.text(settings.get()));
                        })
                        .get("/metrics", (req, res) -> {
                            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                            res.send(registry.scrape());
                        }))
                .build()
                .start();
        LOG.info(() -> service + " admin port " + server.port());
        return this;
    }

    public int port() {
        return server.port();
    }

    /** From now on {@code /ready} answers 503, so load balancers stop sending work before the drain. */
    public void markShuttingDown() {
        shuttingDown = true;
    }

    private static boolean safely(BooleanSupplier check) {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "readiness check failed", e);
            return false;
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
        registry.close();
    }
}
