package dev.runeforge.media;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.runeforge.common.config.ServiceConfig;

/**
 * How to reach LiveKit, or nothing when it is not configured (then voice is off and the token endpoint says so).
 *
 * <p>Keys (environment variables in brackets, by the rule of {@link ServiceConfig}): {@code livekit.url}
 * [LIVEKIT_URL] the server's URL as this service reaches it (ws(s):// or http(s)://; RoomService calls go to its
 * http(s) form); {@code livekit.public.url} [LIVEKIT_PUBLIC_URL] what browsers connect to, when it differs
 * (defaults to {@code livekit.url}); the secrets {@code livekit.api.key} [LIVEKIT_API_KEY] and
 * {@code livekit.api.secret} [LIVEKIT_API_SECRET], or the files named by [LIVEKIT_API_KEY_FILE] /
 * [LIVEKIT_API_SECRET_FILE] (mounted secrets; setting both a variable and its file is an error);
 * {@code livekit.token.ttl} [LIVEKIT_TOKEN_TTL] (default PT5M: the token is only needed to connect, and a kicked
 * player's token lapses soon); {@code livekit.room.max.participants} [LIVEKIT_ROOM_MAX_PARTICIPANTS] (8) and
 * {@code livekit.room.empty.timeout} [LIVEKIT_ROOM_EMPTY_TIMEOUT] (PT5M).
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

    /**
     * Reads every LiveKit key (whether or not a URL is set, so the service's keys are the same everywhere). Empty
     * when no URL is set; a URL without a key and secret is a configuration error, not "voice off".
     */
    static Optional<LiveKitSettings> from(ServiceConfig config) {
        Optional<String> url = config.optional("livekit.url");
        Optional<String> publicUrl = config.optional("livekit.public.url");
        Optional<String> key = config.secret("livekit.api.key");
        Optional<String> secret = config.secret("livekit.api.secret");
        Duration tokenTtl = config.duration("livekit.token.ttl", Duration.ofMinutes(5));
        int maxParticipants = config.integer("livekit.room.max.participants", 8);
        Duration emptyTimeout = config.duration("livekit.room.empty.timeout", Duration.ofMinutes(5));
        if (url.isEmpty()) {
            return Optional.empty();
        }
        String with = "with livekit.url";
        String apiKey = key.orElseThrow(() -> config.missing("livekit.api.key", with));
        String apiSecret = secret.orElseThrow(() -> config.missing("livekit.api.secret", with));
        URI uri = uri(url.get(), "livekit.url");
        URI publicUri = publicUrl.map(s -> uri(s, "livekit.public.url")).orElse(uri);
        return Optional.of(new LiveKitSettings(uri, publicUri, apiKey, apiSecret, tokenTtl, maxParticipants, emptyTimeout));
    }

    private static URI uri(String value, String key) {
        URI uri = URI.create(value);
        if (uri.getScheme() == null || uri.getHost() == null
                || !java.util.Set.of("ws", "wss", "http", "https").contains(uri.getScheme())) {
            throw new IllegalArgumentException(key + " must be a ws://, wss://, http:// or https:// URL: " + value);
        }
        return uri;
    }

    /** For tests: the config keys of these settings. */
    static Map<String, String> keys(String url, String apiKey, String apiSecret) {
        return Map.of("livekit.url", url, "livekit.api.key", apiKey, "livekit.api.secret", apiSecret);
    }
}
