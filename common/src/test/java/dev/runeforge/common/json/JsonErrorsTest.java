package dev.runeforge.common.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import dev.runeforge.common.protocol.ClientMessage;
import org.junit.jupiter.api.Test;

/** A refused message is described in words a player can act on: what is wrong and where, never Jackson's or Java's. */
class JsonErrorsTest {
    private static String refusal(String json) {
        return assertThrows(IllegalArgumentException.class, () -> Json.read(json, ClientMessage.class)).getMessage();
    }

    @Test
    void refusalsSayWhatIsWrongWithoutLibraryOrClassNames() {
        Map<String, String> cases = Map.of(
                "1", "a message must be a JSON object with a 'type'",
                "{}", "a message must be a JSON object with a 'type'",
                "{\"type\":\"zz\"}", "unknown type 'zz'",
                "{\"type\":\"hello\",\"v\":\"x\"}", "'v' must be a whole number",
                "{\"type\":\"hello\",\"v\":99999999999}", "'v' is out of range",
                "{\"type\":\"ping\",\"t\":1e400}", "'t' is out of range",
                "{\"type\":\"ping\"", "not valid JSON",
                "{\"type\":\"join\",\"id\":\"a\"}", "code is required",
                "{\"type\":\"hello\",\"v\":1,\"resume\":{\"session\":\"a\",\"lastSeq\":-1}}", "resume.lastSeq must be >= 0");
        cases.forEach((json, expected) -> assertEquals(expected, refusal(json), json));
    }

    @Test
    void noRefusalNamesAClassOrALibrary() {
        for (String json : new String[]{"[]", "\"x\"", "true", "{\"type\":[1]}", "{\"type\":\"hello\",\"v\":{}}",
                "{\"type\":\"hello\",\"v\":1,\"resume\":5}", "{\"type\":\"create\",\"id\":\"c\",\"game\":{}}",
                "{\"type\":\"action\",\"id\":\"a\",\"session\":\"s\",\"body\":[]}", "{\"type\":\"\\u0000\"}"}) {
            String message = refusal(json);
            for (String leak : new String[]{"dev.runeforge", "java.", "jackson", "fasterxml", "Source:", "line:", "class "}) {
                assertFalse(message.contains(leak), json + " -> " + message);
            }
        }
    }
}
