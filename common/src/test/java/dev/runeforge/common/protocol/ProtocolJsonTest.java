package dev.runeforge.common.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every protocol message survives a JSON round trip unchanged, and carries its wire {@code type}. */
class ProtocolJsonTest {
    private static JsonNode obj(String json) {
        return Json.tree(json.getBytes());
    }

    static Stream<ClientMessage> clientMessages() {
        return Stream.of(
                new ClientMessage.Hello(1, null),
                new ClientMessage.Hello(1, new ClientMessage.Resume("s1", 41)),
                new ClientMessage.Create("c-1", "dice", obj("{\"mode\":\"open\"}")),
                new ClientMessage.Join("j_1", "WOLF-1234"),
                new ClientMessage.Action("a1", "s1", obj("{\"type\":\"roll\",\"formula\":\"2d6+3\"}")),
                new ClientMessage.Leave("l1", "s1"),
                new ClientMessage.Ping(7L));
    }

    static Stream<ServerMessage> serverMessages() {
        return Stream.of(
                new ServerMessage.Welcome(1, "g-1", "Ada"),
                new ServerMessage.Joined("s1", "WOLF-1234", "dice", 3, obj("{\"players\":[]}"), 1_700_000_000_000L),
                new ServerMessage.Event("s1", 4, obj("{\"type\":\"rolled\"}")),
                new ServerMessage.Accepted("a1", "s1"),
                new ServerMessage.Error("ROOM_NOT_FOUND", "no such room", "j1"),
                new ServerMessage.Presence("s1", List.of("g-1", "g-2")),
                new ServerMessage.Left("s1"),
                new ServerMessage.Pong(7L));
    }

    @ParameterizedTest
    @MethodSource("clientMessages")
    void clientMessageRoundTrips(ClientMessage message) {
        String json = Json.text(message);
        assertEquals(message, Json.read(json, ClientMessage.class));
        assertTrue(Json.tree(json.getBytes()).path("type").isTextual(), json);
    }

    @ParameterizedTest
    @MethodSource("serverMessages")
    void serverMessageRoundTrips(ServerMessage message) {
        String json = Json.text(message);
        assertEquals(message, Json.read(json, ServerMessage.class));
        assertTrue(Json.tree(json.getBytes()).path("type").isTextual(), json);
    }

    @Test
    void busActionRoundTrips() {
        BusAction a = new BusAction("a1", BusAction.Kind.GAME, "s1", "g-1", "Ada", null,
                obj("{\"type\":\"roll\"}"), "conn-1", 123L);
        assertEquals(a, Json.read(Json.bytes(a), BusAction.class));
        assertEquals("g-1:a1", a.key());
    }

    @Test
    void wireNamesAreTheDocumentedOnes() {
        assertEquals("{\"type\":\"join\",\"id\":\"j1\",\"code\":\"WOLF-1234\"}",
                Json.text(new ClientMessage.Join("j1", "wolf-1234")));
        assertEquals("{\"type\":\"accepted\",\"id\":\"a1\",\"session\":\"s1\"}",
                Json.text(new ServerMessage.Accepted("a1", "s1")));
    }

    @Test
    void invalidMessagesAreRefusedWithAReason() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Json.read("{\"type\":\"action\",\"id\":\"a b\",\"session\":\"s\",\"body\":{}}", ClientMessage.class));
        assertTrue(e.getMessage().contains("id"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.read("{\"type\":\"nope\"}", ClientMessage.class));
        assertThrows(IllegalArgumentException.class, () -> Json.read("[1,2]", ClientMessage.class));
        assertThrows(IllegalArgumentException.class,
                () -> Json.read("{\"type\":\"action\",\"id\":\"a\",\"session\":\"s\",\"body\":3}", ClientMessage.class));
        assertThrows(IllegalArgumentException.class,
                () -> Json.read("{\"type\":\"join\",\"id\":\"" + "x".repeat(65) + "\",\"code\":\"A-1\"}", ClientMessage.class));
    }
}
