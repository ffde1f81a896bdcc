package dev.runeforge.common.service;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.runeforge.common.admin.AdminServer;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.telemetry.Telemetry;
import io.helidon.config.Config;
import io.nats.client.Connection;
import io.nats.service.Service;
import io.nats.service.ServiceBuilder;
import io.nats.service.ServiceEndpoint;

/**
 * What every service's {@code Main} starts with: its config, subject names, admin port (with a "nats"
 * readiness check), NATS connection and tracing (bound to that connection, see {@link Telemetry#of(Connection)});
 * and what it ends with: one shutdown order for all of them.
 */
public final class ServiceRuntime {
    private final String service;
    private final Config config;
    private final Subjects subjects;
    private final AdminServer admin;
    private final Connection nc;
    private final Telemetry telemetry;

    private ServiceRuntime(String service, Config config, Subjects subjects, AdminServer admin, Connection nc,
                           Telemetry telemetry) {
        this.service = service;
        this.config = config;
        this.subjects = subjects;
        this.admin = admin;
        this.nc = nc;
        this.telemetry = telemetry;
    }

    /** Keys read here: {@code namespace}, {@code nats.url}; tracing from the {@code OTEL_*} environment. */
    public static ServiceRuntime open(String service, Config config) throws IOException, InterruptedException {
        return open(service, config, Telemetry.fromEnvironment(service));
    }

    /** As {@link #open(String, Config)} with the given tracing (tests pass an in-memory one). */
    public static ServiceRuntime open(String service, Config config, Telemetry telemetry)
            throws IOException, InterruptedException {
        Subjects subjects = new Subjects(config.get("bus.namespace").asString().orElse(Subjects.DEFAULT_NAMESPACE));
        AdminServer admin = new AdminServer(service);
        Connection nc = NatsClients.connect(config.get("nats.url").asString().orElse("nats://127.0.0.1:4222"), service);
        admin.readiness("nats", () -> NatsClients.isConnected(nc));
        Telemetry.bind(nc, telemetry);
        return new ServiceRuntime(service, config, subjects, admin, nc, telemetry);
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    public Config config() {
        return config;
    }

    public Subjects subjects() {
        return subjects;
    }

    public AdminServer admin() {
        return admin;
    }

    public Connection nats() {
        return nc;
    }

    /**
     * Starts a NATS micro-service named {@code <namespace>-<name>} (so discovery never mixes deployments that
     * share a NATS server) with {@code endpoints}.
     */
    public Service service(String name, String description, ServiceEndpoint... endpoints) {
        ServiceBuilder builder = new ServiceBuilder()
                .connection(nc)
                .name(subjects.namespace() + "-" + name)
                .version("0.1.0")
                .description(description);
        for (ServiceEndpoint e : endpoints) {
            builder.addServiceEndpoint(e);
        }
        Service service = builder.build();
        service.startService();
        return service;
    }

    /** A started service; tests run it in-process and {@link #close()} it as SIGTERM would. */
    public record Running(AdminServer admin, Shutdown shutdown) implements AutoCloseable {
        public int adminPort() {
            return admin.port();
        }

        @Override
        public void close() {
            shutdown.run();
        }
    }

    /**
     * Opens the admin port ({@code admin.host}, {@code admin.port}) and fixes the shutdown order: readiness
     * goes 503, {@code stopWork} (stop taking and finish in-flight work), NATS drains, {@code afterBus}
     * (close pools), buffered spans are exported, the admin port closes. Either step may be null.
     */
    public Running run(int defaultAdminPort, Shutdown.Step stopWork, Shutdown.Step afterBus) {
        admin.start(config.get("admin.host").asString().orElse("0.0.0.0"),
                config.get("admin.port").asInt().orElse(defaultAdminPort));
        Shutdown shutdown = new Shutdown(service).then("not ready", admin::markShuttingDown);
        if (stopWork != null) {
            shutdown.then("stop work", stopWork);
        }
        shutdown.then("drain nats", () -> nc.drain(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS));
        if (afterBus != null) {
            shutdown.then("release resources", afterBus);
        }
        shutdown.then("flush traces", telemetry::close);
        shutdown.then("close admin", admin::close);
        return new Running(admin, shutdown);
    }
}
