package dev.runeforge.common.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runeforge.common.json.Json;
import org.junit.jupiter.api.Test;

class VoiceJsonTest {
    @Test
    void tokenRequestRoundTrips() {
        Voice.TokenRequest request = new Voice.TokenRequest("p-1", "0123456789abcdef0123456789abcdef");
        assertEquals(request, Json.read(Json.bytes(request), Voice.TokenRequest.class));
    }

    @Test
    void tokenRoundTrips() {
        Voice.Token token = new Voice.Token("wss://voice.example", "eyJ.x.y", "rf-s1", "p-1", "Ann", true, 1_800_000_000L);
        assertEquals(token, Json.read(Json.bytes(token), Voice.Token.class));
    }

    @Test
    void aSessionIdThatCannotBeAKeyIsRefusedBeforeTheBus() {
        assertThrows(IllegalArgumentException.class, () -> new Voice.TokenRequest("p-1", "a.b"));
        assertThrows(IllegalArgumentException.class, () -> new Voice.TokenRequest("p-1", ""));
        assertThrows(IllegalArgumentException.class, () -> new Voice.TokenRequest(" ", "s1"));
        assertFalse(Voice.validSession("x".repeat(65)));
        assertTrue(Voice.validSession("0123456789abcdef0123456789abcdef"));
    }
}
