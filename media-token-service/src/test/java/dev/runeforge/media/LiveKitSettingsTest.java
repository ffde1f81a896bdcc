package dev.runeforge.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import dev.runeforge.common.config.ServiceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveKitSettingsTest {
    private static final String SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-s3cret";

    private static ServiceConfig config(Map<String, String> values) {
        return ServiceConfig.of(values, Map.of(), new Properties());
    }

    private static ServiceConfig config(Map<String, String> values, Map<String, String> env) {
        return ServiceConfig.of(values, env, new Properties());
    }

    @Test
    void noUrlMeansVoiceIsOff() {
        assertTrue(LiveKitSettings.from(config(Map.of("livekit.api.key", "k"))).isEmpty());
    }

    @Test
    void defaultsAreAShortTokenAndEightPlayersRooms() {
        LiveKitSettings s = LiveKitSettings.from(config(LiveKitSettings.keys("wss://lk.example:7880", "APIkey", SECRET)))
                .orElseThrow();
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
        Map<String, String> env = Map.of("LIVEKIT_URL", "ws://livekit:7880",
                "LIVEKIT_API_KEY_FILE", key.toString(), "LIVEKIT_API_SECRET_FILE", secret.toString());
        ServiceConfig config = config(Map.of(), env);
        LiveKitSettings s = LiveKitSettings.from(config).orElseThrow();
        assertEquals("APIfromfile", s.apiKey());
        assertEquals(SECRET, s.apiSecret());
        assertEquals("http://livekit:7880", s.apiBase());
        assertFalse(s.toString().contains(SECRET), s.toString());
        assertEquals("***", config.effective().get("livekit.api.secret").value());
        assertEquals("env LIVEKIT_API_SECRET_FILE", config.effective().get("livekit.api.secret").from());
    }

    @Test
    void aSecretGivenBothAsAValueAndAsAFileIsAConfigurationError(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), SECRET);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LiveKitSettings.from(config(Map.of(),
                Map.of("LIVEKIT_URL", "ws://livekit:7880", "LIVEKIT_API_KEY", "k", "LIVEKIT_API_SECRET", SECRET,
                        "LIVEKIT_API_SECRET_FILE", secret.toString()))));
        assertTrue(e.getMessage().contains("LIVEKIT_API_SECRET and LIVEKIT_API_SECRET_FILE"), e.getMessage());
    }

    @Test
    void aUrlWithoutCredentialsOrWithAWeakSecretIsAConfigurationError() {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> LiveKitSettings.from(config(Map.of("livekit.url", "ws://livekit:7880"))));
        assertEquals("livekit.api.key is required with livekit.url (set LIVEKIT_API_KEY or LIVEKIT_API_KEY_FILE)",
                missing.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> LiveKitSettings.from(config(LiveKitSettings.keys("ws://livekit:7880", "k", "short"))));
        assertThrows(IllegalArgumentException.class,
                () -> LiveKitSettings.from(config(LiveKitSettings.keys("ftp://livekit", "k", SECRET))));
    }
}
