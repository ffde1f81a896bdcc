package dev.runeforge.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import io.helidon.config.Config;

/**
 * How to reach LiveKit, or nothing when it is not configured (then voice is off and the token endpoint says so).
 *
 * <p>Keys (environment variables in brackets): {@code livekit.url} [LIVEKIT_URL] the server's URL as this service
 * reaches it (ws(s):// or http(s)://; RoomService calls go to its http(s) form); {@code livekit.public.url}
 * [LIVEKIT_PUBLIC_URL] what browsers connect to, when it differs (defaults to {@code livekit.url});
 * {@code livekit.api.key} [LIVEKIT_API_KEY] and {@code livekit.api.secret} [LIVEKIT_API_SECRET], or the files
 * named by [LIVEKIT_API_KEY_FILE] / [LIVEKIT_API_SECRET_FILE] (or {@code livekit.api.key-file},
 * {@code livekit.api.secret-file}), which win over the values (mounted secrets); {@code livekit.token.ttl}
 * [LIVEKIT_TOKEN_TTL] (default PT5M: the token is only needed to connect, and a kicked player's token lapses soon);
 * {@code livekit.room.max.participants} [LIVEKIT_ROOM_MAX_PARTICIPANTS] (8) and {@code livekit.room.empty.timeout}
 * [LIVEKIT_ROOM_EMPTY_TIMEOUT] (PT300S). Dotted keys, not dashed: Helidon maps FOO_BAR to foo.bar.
 *
 * <p>{@link #toString()} never shows the secret.
 */
record LiveKitSettings(URI url, URI publicUrl, String apiKey, String apiSecret, Duration tokenTtl,
                       int maxParticipants, Duration emptyTimeout) {
    LiveKitSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(publicUrl, "publicUrl");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(apiSecret, "apiSecret");
        Objects.requireNonNull(tokenTtl, "tokenTtl");
        Objects.requireNonNull(emptyTimeout, "emptyTimeout");
        if (tokenTtl.isNegative() || tokenTtl.isZero() || tokenTtl.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("livekit.token.ttl must be positive and at most an hour: " + tokenTtl);
        }
        if (maxParticipants < 1) {
            throw new IllegalArgumentException("livekit.room.max.participants must be at least 1");
        }
        if (emptyTimeout.isNegative()) {
            throw new IllegalArgumentException("livekit.room.empty.timeout must not be negative");
        }
        // LiveKit signs HS256 with the secret; a short secret is a guessable one (LiveKit itself wants >= 32).
        if (apiSecret.length() < 32) {
            throw new IllegalArgumentException("the LiveKit API secret must be at least 32 characters");
        }
    }

    /** The base URL for RoomService (Twirp over HTTP): ws→http, wss→https. */
    String apiBase() {
        String s = url.toString();
        if (s.startsWith("ws://")) {
            s = "http://" + s.substring(5);
        } else if (s.startsWith("wss://")) {
            s = "https://" + s.substring(6);
        }
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return "LiveKitSettings[url=" + url + ", publicUrl=" + publicUrl + ", apiKey=" + apiKey + ", apiSecret=***"
                + ", tokenTtl=" + tokenTtl + ", maxParticipants=" + maxParticipants + ", emptyTimeout=" + emptyTimeout + "]";
    }

    static Optional<LiveKitSettings> from(Config config) {
        return from(config, System::getenv);
    }

    /** Empty when no URL is set; a URL without a key and secret is a configuration error, not "voice off". */
    static Optional<LiveKitSettings> from(Config config, Function<String, String> env) {
        Optional<String> url = config.get("livekit.url").asString().map(String::strip).filter(s -> !s.isEmpty());
        if (url.isEmpty()) {
            return Optional.empty();
        }
        String key = secret(config, env, "livekit.api.key", "LIVEKIT_API_KEY");
        String secret = secret(config, env, "livekit.api.secret", "LIVEKIT_API_SECRET");
        if (key == null || secret == null) {
            throw new IllegalStateException("livekit.url is set but the LiveKit API key or secret is not "
                    + "(LIVEKIT_API_KEY/LIVEKIT_API_SECRET, or their _FILE variants)");
        }
        URI uri = uri(url.get(), "livekit.url");
        URI publicUri = config.get("livekit.public.url").asString().map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> uri(s, "livekit.public.url")).orElse(uri);
        return Optional.of(new LiveKitSettings(uri, publicUri, key, secret,
                config.get("livekit.token.ttl").as(Duration.class).orElse(Duration.ofMinutes(5)),
                config.get("livekit.room.max.participants").asInt().orElse(8),
                config.get("livekit.room.empty.timeout").as(Duration.class).orElse(Duration.ofSeconds(300))));
    }

    private static URI uri(String value, String key) {
        URI uri = URI.create(value);
        if (uri.getScheme() == null || uri.getHost() == null
                || !java.util.Set.of("ws", "wss", "http", "https").contains(uri.getScheme())) {
            throw new IllegalArgumentException(key + " must be a ws://, wss://, http:// or https:// URL: " + value);
        }
        return uri;
    }

    /** A file (mounted secret) wins over a value; both from config or the environment. Null when neither is set. */
    private static String secret(Config config, Function<String, String> env, String key, String envName) {
        String file = config.get(key + "-file").asString()
                .orElseGet(() -> env.apply(envName + "_FILE"));
        if (file != null && !file.isBlank()) {
            try {
                String value = Files.readString(Path.of(file.strip()), StandardCharsets.UTF_8).strip();
                return value.isEmpty() ? null : value;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + envName + "_FILE " + file, e);
            }
        }
        return config.get(key).asString().map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
    }

    /** For tests: the config keys of these settings. */
    static Map<String, String> keys(String url, String apiKey, String apiSecret) {
        return Map.of("livekit.url", url, "livekit.api.key", apiKey, "livekit.api.secret", apiSecret);
    }
}
