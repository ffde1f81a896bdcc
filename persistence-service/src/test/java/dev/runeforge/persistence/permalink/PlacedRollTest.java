package dev.runeforge.persistence.permalink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import dev.runeforge.common.bus.Commit;
import dev.runeforge.common.bus.EventsStream;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.permalink.RollFact;
import org.junit.jupiter.api.Test;

class PlacedRollTest {
    private static final String ID = "AbCdEfGhIjKlMn_-";

    private static EventsStream.Stored stored(String code, Map<Long, RollFact> rolls) {
        Commit commit = new Commit("s1", "axes", code, "g-1:a", "g-1", 5, 4,
                List.of(Json.tree(Map.of("type", "a")), Json.tree(Map.of("type", "b"))));
        return new EventsStream.Stored(commit, "axes", new EventsStream.Declared(Map.of(), rolls), null);
    }

    @Test
    void eachDeclaredFactIsPlacedAtItsEventInEventOrder() {
        RollFact second = new RollFact.Revealed(ID, 9);
        RollFact first = new RollFact.Revealed("BbCdEfGhIjKlMn_-", 8);
        assertEquals(List.of(new PlacedRoll("s1", 4, "AXE-AXE-0001", first),
                        new PlacedRoll("s1", 5, "AXE-AXE-0001", second)),
                PlacedRoll.of(stored("AXE-AXE-0001", Map.of(5L, second, 4L, first))));
        assertEquals(List.of(), PlacedRoll.of(stored("AXE-AXE-0001", Map.of())));
    }

    @Test
    void aCommitWithoutARoomCodeIsPlacedWithAnEmptyOneAsBefore() {
        assertEquals("", PlacedRoll.of(stored(null, Map.of(4L, new RollFact.Revealed(ID, 9)))).getFirst().code());
    }
}
