package dev.runeforge.common.service;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import dev.runeforge.common.admin.AdminServer;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.NatsSettings;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.logging.Logging;
import dev.runeforge.common.telemetry.Telemetry;
import io.nats.client.Connection;
import io.nats.service.Service;
import io.nats.service.ServiceBuilder;
import io.nats.service.ServiceEndpoint;

/**
 * What every service's {@code Main} starts with: its common settings, subject names, admin port (with a "nats"
 * readiness check), NATS connection and tracing (bound to that connection, see {@link Telemetry#of(Connection)});
 * and what it ends with: one shutdown order for all of them.
 */
public final class ServiceRuntime {
    private static final Logger LOG = Logger.getLogger(ServiceRuntime.class.getName());

    private final String service;
    private final RuntimeSettings settings;
    private final Subjects subjects;
    private final AdminServer admin;
    private final Connection nc;
    private final Telemetry telemetry;

    private ServiceRuntime(String service, RuntimeSettings settings, Subjects subjects, AdminServer admin,
                           Connection nc, Telemetry telemetry) {
        this.service = service;
        this.settings = settings;
        this.subjects = subjects;
        this.admin = admin;
        this.nc = nc;
        this.telemetry = telemetry;
    }

    /**
     * Opens the service's bus, admin port and tracing from {@code settings} (read by its {@code Main} from
     * {@code config}); the admin port's {@code /settings} shows everything the service read from {@code config},
     * secrets masked, and names likely typos among the variables it was given in the log. The service connects as
     * the permission table's identity named {@code service} (deploy/nats/permissions.txt), with its own inbox.
     */
    public static ServiceRuntime open(String service, ServiceConfig config, RuntimeSettings settings,
                                      Telemetry telemetry) throws IOException, InterruptedException {
        Logging.level(settings.logLevel());
        config.likelyTypos().forEach(LOG::warning);
        Subjects subjects = new Subjects(settings.namespace());
        AdminServer admin = new AdminServer(service);
        admin.settings(() -> settingsView(service, config));
        Connection nc = NatsClients.connect(settings.nats(), NatsSettings.inboxPrefix(subjects.namespace(), service),
                service);
        admin.readiness("nats", () -> NatsClients.isConnected(nc));
        Telemetry.bind(nc, telemetry);
        return new ServiceRuntime(service, settings, subjects, admin, nc, telemetry);
    }

    /** As {@link #open(String, ServiceConfig, RuntimeSettings, Telemetry)} with only the common settings (tests). */
    public static ServiceRuntime open(String service, ServiceConfig config) throws IOException, InterruptedException {
        return open(service, config, RuntimeSettings.read(config, 0), Telemetry.fromEnvironment(service));
    }

    /** {@code GET /settings} of the admin port: every key read, its environment name, value and origin. */
    static Map<String, Object> settingsView(String service, ServiceConfig config) {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (ServiceConfig.Seen s : config.effective().values()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("value", s.value());
            one.put("from", s.from());
            one.put("env", s.env());
            if (s.secret()) {
                one.put("secret", true);
            }
            settings.put(s.key(), one);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("service", service);
        view.put("settings", settings);
        return view;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    public RuntimeSettings settings() {
        return settings;
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
     * Opens the admin port ({@link RuntimeSettings#adminHost()}, {@link RuntimeSettings#adminPort()}) and fixes the shutdown order: readiness
     * goes 503, {@code stopWork} (stop taking and finish in-flight work), NATS drains, {@code afterBus}
     * (close pools), buffered spans are exported, the admin port closes. Either step may be null.
     */
    public Running run(Shutdown.Step stopWork, Shutdown.Step afterBus) {
        admin.start(settings.adminHost(), settings.adminPort());
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

    /** What a service's {@code main} starts: returns its shutdown once the service runs. */
    @FunctionalInterface
    public interface Starter {
        Shutdown start() throws Exception;
    }

    /**
     * Runs {@code starter} for a service's {@code main} and hooks its shutdown to SIGTERM; a start that fails (NATS
     * JetStream not answering yet, a bad setting, the admin port taken) ends the process with status 1. Without
     * this, the exception ended only the main thread and the NATS client's threads kept a process alive that was
     * neither ready nor gone, so nothing (an orchestrator, run-local.sh) would ever restart it.
     */
    public static void main(String service, Starter starter) {
        try {
            starter.start().onSignal();
        } catch (Throwable t) {
            java.util.logging.Logger.getLogger(ServiceRuntime.class.getName())
                    .log(java.util.logging.Level.SEVERE, service + " could not start; exiting", t);
            System.exit(1);
        }
    }
}
