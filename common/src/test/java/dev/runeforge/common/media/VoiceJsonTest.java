package dev.runeforge.common.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.session.SessionSummary;
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

    @Test
    void theTokenSubjectIsInTheMediaGroupOfItsNamespace() {
        assertEquals("rf.media.token", new Subjects("rf").mediaToken());
        assertEquals("t1.media.token", new Subjects("t1").mediaToken());
    }

    /** media-token-service reads summaries as the game instance writes them: JSON of {@link SessionSummary}. */
    @Test
    void aSessionSummaryRoundTripsAndAnswersMembershipAndBarring() {
        SessionSummary summary = new SessionSummary("s1", "dice", "WOLF-1234", "p-1",
                List.of(new SessionSummary.Member("p-1", "Ann"), new SessionSummary.Member("p-2", "Bo")),
                List.of("p-3"), false, 7, 1_700_000_000_000L);
        SessionSummary read = Json.read(Json.bytes(summary), SessionSummary.class);
        assertEquals(summary, read);
        assertTrue(read.isMember("p-2"));
        assertFalse(read.isMember("p-3"));
        assertTrue(read.isBarred("p-3"));
        assertFalse(read.isBarred("p-1"));
        SessionSummary bare = Json.read("{\"session\":\"s2\",\"game\":\"dice\",\"closed\":true,\"seq\":1,\"updated\":2}",
                SessionSummary.class);
        assertEquals(List.of(), bare.members(), "absent lists read as empty");
        assertEquals(List.of(), bare.barred());
        assertThrows(IllegalArgumentException.class, () -> Json.read("{\"game\":\"dice\"}", SessionSummary.class),
                "a summary names its session");
    }
}
