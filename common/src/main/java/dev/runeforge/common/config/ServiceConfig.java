package dev.runeforge.common.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;

/**
 * Twelve-factor configuration: the service's {@code application.yaml} on the classpath gives the defaults, an
 * optional YAML file named by {@code RF_CONFIG} overrides it, then system properties, then environment
 * variables ({@code NATS_URL} overrides {@code nats.url}, {@code ADMIN_PORT} overrides {@code admin.port}).
 */
public final class ServiceConfig {
    private ServiceConfig() {
    }

    public static Config load() {
        return load(Map.of());
    }

    /** As {@link #load()}, with {@code overrides} on top of everything (tests use this). */
    public static Config load(Map<String, String> overrides) {
        List<Supplier<? extends ConfigSource>> sources = new ArrayList<>();
        sources.add(ConfigSources.create(overrides));
        sources.add(ConfigSources.environmentVariables());
        sources.add(ConfigSources.systemProperties());
        String file = System.getenv("RF_CONFIG");
        if (file != null && !file.isBlank()) {
            if (!Files.isReadable(Path.of(file))) {
                throw new IllegalStateException("RF_CONFIG names a file that cannot be read: " + file);
            }
            sources.add(ConfigSources.file(file));
        }
        sources.add(ConfigSources.classpath("application.yaml").optional());
        return Config.builder()
                .sources(sources)
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .build();
    }
}
