package dev.runeforge.common.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** What the protocol records accept and refuse, field by field (the JSON round trips are ProtocolJsonTest's). */
class ProtocolValidationTest {
    private static final JsonNode OBJECT = JsonNodeFactory.instance.objectNode().put("type", "roll");

    private static String refusal(Runnable make) {
        return assertThrows(IllegalArgumentException.class, make::run).getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "0", "9", "-", "_", "roll-1_B", "az09AZ"})
    void idsOfLettersDigitsDashesAndUnderscoresAreTaken(String id) {
        assertSame(id, ClientMessage.Ids.require(id, "id"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a.b", "a/b", "a*", "é", "a>", "`", "@", "[", "{", ":", "/"})
    void idsWithAnyOtherCharacterAreRefused(String id) {
        assertEquals("id may hold only letters, digits, '-' and '_'", refusal(() -> ClientMessage.Ids.require(id, "id")));
    }

    @Test
    void anIdIsRequiredAndAtMost64Characters() {
        assertEquals("action is required", refusal(() -> ClientMessage.Ids.require(null, "action")));
        assertEquals("action is required", refusal(() -> ClientMessage.Ids.require("", "action")));
        String longest = "x".repeat(ClientMessage.MAX_ID_LENGTH);
        assertSame(longest, ClientMessage.Ids.require(longest, "action"));
        assertEquals("action is longer than 64 characters", refusal(() -> ClientMessage.Ids.require(longest + "x", "action")));
    }

    @Test
    void aResumeNamesASessionAndASeqThatIsNotNegative() {
        assertEquals(0, new ClientMessage.Resume("s1", 0).lastSeq());
        assertEquals("resume.lastSeq must be >= 0", refusal(() -> new ClientMessage.Resume("s1", -1)));
        assertEquals("resume.session is required", refusal(() -> new ClientMessage.Resume(null, 1)));
    }

    @Test
    void aCreateNeedsAnIdAndAGameAndDefaultsItsSettingsToAnEmptyObject() {
        assertEquals("game is required", refusal(() -> new ClientMessage.Create("c1", null, null)));
        assertEquals("game is required", refusal(() -> new ClientMessage.Create("c1", " ", null)));
        assertEquals("id is required", refusal(() -> new ClientMessage.Create(null, "dice", null)));
        assertEquals(JsonNodeFactory.instance.objectNode(), new ClientMessage.Create("c1", "dice", null).settings());
        assertEquals(JsonNodeFactory.instance.objectNode(), new ClientMessage.Create("c1", "dice", NullNode.instance).settings());
        assertSame(OBJECT, new ClientMessage.Create("c1", "dice", OBJECT).settings());
    }

    @Test
    void aJoinNeedsACodeWhichIsTrimmedAndUpperCased() {
        assertEquals("WOLF-0001", new ClientMessage.Join("j1", "  wolf-0001 ").code());
        assertEquals("code is required", refusal(() -> new ClientMessage.Join("j1", null)));
        assertEquals("code is required", refusal(() -> new ClientMessage.Join("j1", "  ")));
        assertEquals("id is required", refusal(() -> new ClientMessage.Join("", "WOLF")));
    }

    @Test
    void anActionNeedsAnIdASessionAndAnObjectBody() {
        assertSame(OBJECT, new ClientMessage.Action("a1", "s1", OBJECT).body());
        assertEquals("body must be an object",
                refusal(() -> new ClientMessage.Action("a1", "s1", JsonNodeFactory.instance.arrayNode())));
        assertEquals("body is required",
                assertThrows(NullPointerException.class, () -> new ClientMessage.Action("a1", "s1", null)).getMessage());
        assertEquals("session is required", refusal(() -> new ClientMessage.Action("a1", null, OBJECT)));
        assertEquals("id is required", refusal(() -> new ClientMessage.Action(null, "s1", OBJECT)));
    }

    @Test
    void aLeaveNeedsAnIdAndASession() {
        assertEquals("s1", new ClientMessage.Leave("l1", "s1").session());
        assertEquals("session is required", refusal(() -> new ClientMessage.Leave("l1", "")));
        assertEquals("id may hold only letters, digits, '-' and '_'", refusal(() -> new ClientMessage.Leave("l 1", "s1")));
    }

    @Test
    void serverMessagesRefuseAMissingSessionOrBody() {
        assertThrows(NullPointerException.class, () -> new ServerMessage.Joined(null, "C", "dice", 1, OBJECT, 0));
        assertThrows(NullPointerException.class, () -> new ServerMessage.Joined("s1", "C", "dice", 1, null, 0));
        assertThrows(NullPointerException.class, () -> new ServerMessage.Event(null, 1, OBJECT));
        assertThrows(NullPointerException.class, () -> new ServerMessage.Event("s1", 1, null));
        assertThrows(NullPointerException.class, () -> new ServerMessage.Resumed(null, 1));
        assertThrows(NullPointerException.class, () -> new ServerMessage.Result(null, "r", OBJECT));
        assertThrows(NullPointerException.class, () -> new ServerMessage.Result("s1", "r", null));
        assertThrows(NullPointerException.class, () -> new ServerMessage.Error(null, "why", null));
        assertThrows(NullPointerException.class, () -> new ServerMessage.Error("CODE", null, null));
        assertThrows(NullPointerException.class, () -> new ServerMessage.Presence("s1", null));
    }

    @Test
    void aResultAndAResumeCarryWhatTheyWereGiven() {
        ServerMessage.Result result = new ServerMessage.Result("s1", "a1", OBJECT);
        assertEquals("s1", result.session());
        assertEquals("a1", result.ref());
        assertSame(OBJECT, result.body());
        assertEquals(new ServerMessage.Resumed("s1", 4), new ServerMessage.Resumed("s1", 4));
        assertEquals(4, new ServerMessage.Resumed("s1", 4).seq());
    }

    @Test
    void anErrorWithoutRetryAndALeaveWithoutReasonCarryNulls() {
        ServerMessage.Error error = new ServerMessage.Error(ErrorCodes.BUSY, "later", "a1");
        assertEquals(new ServerMessage.Error(ErrorCodes.BUSY, "later", "a1", null), error);
        assertNull(error.retryMs());
        assertNull(new ServerMessage.Left("s1").reason());
        assertEquals("s1", new ServerMessage.Left("s1").session());
    }

    @Test
    void presenceKeepsItsOwnCopyOfWhoIsOnline() {
        List<String> online = new ArrayList<>(List.of("a"));
        ServerMessage.Presence presence = new ServerMessage.Presence("s1", online);
        online.add("b");
        assertEquals(List.of("a"), presence.online());
        assertThrows(UnsupportedOperationException.class, () -> presence.online().add("c"));
        assertTrue(new ServerMessage.Presence("s1", List.of()).online().isEmpty());
    }
}
