package dev.runeforge.platform;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.runeforge.common.service.ServiceRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The voice panel in real Chromium (e2e/voice.test.mjs): hidden when no LiveKit is configured; shown when one is,
 * and when that LiveKit cannot be reached joining voice fails visibly while the game keeps working. The LiveKit
 * media server itself cannot run here (mocked the only way it can be: "configured" points at a local port where
 * nothing listens). Players get real tokens there, from the session directory the game instance writes, so the
 * browser really dials the unreachable LiveKit.
 */
class VoiceBrowserIT {
    private static final String SECRET = "browser-test-secret-0123456789abcdefghij";

    @BeforeAll
    static void tools() {
        BrowserTests.chromium();
    }

    @Test
    void withoutLiveKitTheVoicePanelStaysHidden() throws Exception {
        try (Platform platform = new Platform();
             ServiceRuntime.Running media = platform.media(Map.of())) {
            BrowserTests.run(platform, List.of("voice.test.mjs"), Map.of("RF_VOICE", "off"), Duration.ofMinutes(3));
        }
    }

    @Test
    void withAnUnreachableLiveKitThePanelShowsJoiningFailsAndTheGameGoesOn() throws Exception {
        String livekit = "ws://127.0.0.1:" + closedPort();
        Map<String, String> voice = Map.of("livekit.url", livekit, "livekit.api.key", "APIbrowsertest",
                "livekit.api.secret", SECRET, "livekit.call.timeout", "PT1S");
        try (Platform platform = new Platform(voice);
             ServiceRuntime.Running media = platform.media(voice)) {
            BrowserTests.run(platform, List.of("voice.test.mjs"),
                    Map.of("RF_VOICE", "unreachable", "RF_LIVEKIT_URL", livekit), Duration.ofMinutes(3));
        }
    }

    /** A port nothing listens on: bound for a moment by us, then released. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
