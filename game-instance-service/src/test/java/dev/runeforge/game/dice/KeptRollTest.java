package dev.runeforge.game.dice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;

import dev.runeforge.game.dice.DiceModel.Player;
import dev.runeforge.game.dice.DiceModel.Roll;
import dev.runeforge.game.dice.DiceModel.RollMode;
import org.junit.jupiter.api.Test;

/** {@link Roll#keptAmong}: the roll a room keeps shares its strings with the room, and is still the same roll. */
class KeptRollTest {
    private static Roll roll(String player, String name, String formula) {
        return new Roll("id1", player + ":a1", player, name, formula, List.of(), 5, 17, 1_000, false, null, null,
                null, 1, RollMode.PUBLIC, null, null);
    }

    private final Player alice = new Player("g-alice", "Alice");
    private final List<Player> room = List.of(new Player("g-bob", "Bob"), alice);

    @Test
    void holdsItsPlayersIdAndNameAsTheRoomDoesAndItsFormulaInterned() {
        // Copies, not the room's instances: as a roll folded from its stored JSON holds.
        Roll made = roll(new String("g-alice"), new String("Alice"), new String("1d20+5"));
        Roll kept = made.keptAmong(room);
        assertEquals(made, kept);
        assertSame(alice.id(), kept.player());
        assertSame(alice.name(), kept.name());
        assertSame("1d20+5", kept.formula());
    }

    @Test
    void keepsTheNameItWasRolledUnderWhenThePlayerIsNowCalledOtherwise() {
        Roll kept = roll("g-alice", "Alicia", "1d20").keptAmong(room);
        assertSame(alice.id(), kept.player());
        assertEquals("Alicia", kept.name());
    }

    @Test
    void aRollByNoMemberAndARollWithoutFormulaStayAsTheyAre() {
        Roll stranger = roll("g-carol", "Carol", "1d6");
        assertEquals(stranger, stranger.keptAmong(room));
        Roll bare = roll("g-alice", "Alice", null);
        assertNull(bare.keptAmong(room).formula());
        assertEquals(bare, bare.keptAmong(room));
    }
}
