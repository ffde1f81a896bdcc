package dev.runeforge.common.service;

import java.util.Locale;
import java.util.Objects;
import java.util.logging.Level;

import dev.runeforge.common.bus.NatsSettings;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;

/**
 * The settings every service reads: its bus ({@code bus.namespace}, {@code bus.replicas}, and how it connects:
 * {@link NatsSettings}), its
 * admin port ({@code admin.host}, {@code admin.port}) and its log level ({@code log.level}, env {@code LOG_LEVEL}; the
 * k8s dev overlay's {@code DEBUG} is {@code FINE}).
 */
public record RuntimeSettings(String namespace, int replicas, NatsSettings nats, String adminHost, int adminPort,
                              Level logLevel) {
    public RuntimeSettings {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(nats, "nats");
        Objects.requireNonNull(adminHost, "adminHost");
        Objects.requireNonNull(logLevel, "logLevel");
        if (replicas < 1 || replicas > 5) {
            throw new IllegalArgumentException("bus.replicas must be 1 to 5 (JetStream's limit): " + replicas);
        }
        if (adminPort < 0 || adminPort > 65_535) {
            throw new IllegalArgumentException("admin.port must be 0 to 65535: " + adminPort);
        }
    }

    /** Reads the keys above; {@code adminPort} is the service's default admin port. */
    public static RuntimeSettings read(ServiceConfig config, int adminPort) {
        String namespace = config.string("bus.namespace", Subjects.DEFAULT_NAMESPACE);
        int replicas = config.integer("bus.replicas", 1);
        NatsSettings nats = NatsSettings.read(config);
        String host = config.string("admin.host", "0.0.0.0");
        int port = config.integer("admin.port", adminPort);
        String level = config.string("log.level", "INFO");
        return new RuntimeSettings(namespace, replicas, nats, host, port, level(config, level));
    }

    /** The usual names (ERROR, WARN, INFO, DEBUG, TRACE) and java.util.logging's own (SEVERE ... FINEST, ALL, OFF). */
    static Level level(ServiceConfig config, String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        try {
            return switch (upper) {
                case "ERROR" -> Level.SEVERE;
                case "WARN" -> Level.WARNING;
                case "DEBUG" -> Level.FINE;
                case "TRACE" -> Level.FINEST;
                default -> Level.parse(upper);
            };
        } catch (IllegalArgumentException e) {
            throw config.invalid("log.level", "not a level (ERROR, WARN, INFO, DEBUG, TRACE, or java.util.logging's "
                    + "SEVERE ... FINEST, ALL, OFF): " + name);
        }
    }
}
