package dev.runeforge.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveKitSettingsTest {
    private static final String SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-s3cret";

    private static Config config(Map<String, String> values) {
        return Config.just(ConfigSources.create(values));
    }

    @Test
    void noUrlMeansVoiceIsOff() {
        assertTrue(LiveKitSettings.from(config(Map.of("livekit.api.key", "k")), n -> null).isEmpty());
    }

    @Test
    void defaultsAreAShortTokenAndEightPlayersRooms() {
        LiveKitSettings s = LiveKitSettings.from(config(LiveKitSettings.keys("wss://lk.example:7880", "APIkey", SECRET)),
                n -> null).orElseThrow();
        assertEquals(Duration.ofMinutes(5), s.tokenTtl());
        assertEquals(8, s.maxParticipants());
        assertEquals(Duration.ofSeconds(300), s.emptyTimeout());
        assertEquals("https://lk.example:7880", s.apiBase(), "RoomService speaks HTTP(S) on the same address");
        assertEquals(s.url(), s.publicUrl());
    }

    @Test
    void secretsComeFromFilesWhenNamedAndAreNeverPrinted(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "APIfromfile\n");
        Path secret = Files.writeString(dir.resolve("secret"), SECRET + "\n");
        Map<String, String> env = Map.of("LIVEKIT_API_KEY_FILE", key.toString(), "LIVEKIT_API_SECRET_FILE", secret.toString());
        Map<String, String> values = new HashMap<>(Map.of("livekit.url", "ws://livekit:7880",
                "livekit.api.secret", "a-value-the-file-overrides-0123456789abcdef"));
        LiveKitSettings s = LiveKitSettings.from(config(values), env::get).orElseThrow();
        assertEquals("APIfromfile", s.apiKey());
        assertEquals(SECRET, s.apiSecret());
        assertEquals("http://livekit:7880", s.apiBase());
        assertFalse(s.toString().contains(SECRET), s.toString());
    }

    @Test
    void aUrlWithoutCredentialsOrWithAWeakSecretIsAConfigurationError() {
        assertThrows(IllegalStateException.class,
                () -> LiveKitSettings.from(config(Map.of("livekit.url", "ws://livekit:7880")), n -> null));
        assertThrows(IllegalArgumentException.class,
                () -> LiveKitSettings.from(config(LiveKitSettings.keys("ws://livekit:7880", "k", "short")), n -> null));
        assertThrows(IllegalArgumentException.class,
                () -> LiveKitSettings.from(config(LiveKitSettings.keys("ftp://livekit", "k", SECRET)), n -> null));
    }
}
