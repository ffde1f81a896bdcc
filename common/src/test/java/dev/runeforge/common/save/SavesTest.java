package dev.runeforge.common.save;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import dev.runeforge.common.json.Json;
import org.junit.jupiter.api.Test;

class SavesTest {
    @Test
    void saveMessagesRoundTripThroughJson() {
        var data = Json.tree(Map.of("map", "forest", "goblins", 4));
        Saves.Put put = new Saves.Put("g-1", null, "  Goblin ambush ", "tactics", data);
        Saves.Put back = Json.read(Json.bytes(put), Saves.Put.class);
        assertEquals(put, back);
        assertEquals("Goblin ambush", back.name(), "names are trimmed");
        assertNull(back.slot(), "no slot: the first free one");

        Saves.Save save = new Saves.Save(3, "Goblin ambush", "tactics", data, 1000, 2000);
        assertEquals(save, Json.read(Json.bytes(save), Saves.Save.class));
        assertFalse(Json.text(save.withoutData()).contains("data"), "a listing carries no data");
        Saves.Listing listing = new Saves.Listing(List.of(save.withoutData()));
        assertEquals(listing, Json.read(Json.bytes(listing), Saves.Listing.class));
        assertEquals(new Saves.Slot("g-1", 10), Json.read("{\"player\":\"g-1\",\"slot\":10}", Saves.Slot.class));
    }

    @Test
    void onlyValidSavesCanBeBuiltOrRead() {
        var data = Json.tree(Map.of());
        assertThrows(IllegalArgumentException.class, () -> new Saves.Slot("g-1", 0));
        assertThrows(IllegalArgumentException.class, () -> new Saves.Slot("g-1", 11));
        assertThrows(IllegalArgumentException.class, () -> new Saves.Put("g-1", 1, " ", "dice", data));
        assertThrows(IllegalArgumentException.class, () -> new Saves.Put("g-1", 1, "x".repeat(65), "dice", data));
        assertThrows(IllegalArgumentException.class, () -> new Saves.Put("g-1", 1, "a\u0007b", "dice", data));
        assertThrows(IllegalArgumentException.class, () -> new Saves.Put("g-1", 1, "ok", "Dice!", data));
        assertThrows(IllegalArgumentException.class, () -> new Saves.Put("g-1", 1, "ok", "dice", Json.tree(List.of(1))));
        assertThrows(IllegalArgumentException.class, () -> new Saves.Put("g-1", 1, "ok", "dice",
                Json.tree(Map.of("blob", "x".repeat(Saves.MAX_DATA_BYTES)))));
        assertThrows(IllegalArgumentException.class, () -> new Saves.Put("", 1, "ok", "dice", data));
        assertEquals("x".repeat(64), new Saves.Put("g-1", 10, "x".repeat(64), "dice", data).name());
        assertThrows(IllegalArgumentException.class,
                () -> Json.read("{\"player\":\"g-1\",\"slot\":12}", Saves.Slot.class), "the bus validates too");
    }
}
