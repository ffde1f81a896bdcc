package dev.runeforge.game.dice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DiceFormulaTest {
    @ParameterizedTest
    @CsvSource({
            "1d20, 1, 20, 0, 1d20",
            "d20, 1, 20, 0, 1d20",
            "2d6+3, 2, 6, 3, 2d6+3",
            "3D8-1, 3, 8, -1, 3d8-1",
            "' 4 d 6 + 2 ', 4, 6, 2, 4d6+2",
            "100d100+100, 100, 100, 100, 100d100+100",
            "1d4-100, 1, 4, -100, 1d4-100",
            "1d12+0, 1, 12, 0, 1d12",
            "1d10, 1, 10, 0, 1d10",
    })
    void parsesNotation(String text, int count, int sides, int modifier, String canonical) throws Exception {
        DiceFormula f = DiceFormula.parse(text);
        assertEquals(new DiceFormula(count, sides, modifier), f);
        assertEquals(canonical, f.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "d", "2d", "0d6", "101d6", "1d7", "1d0", "1d1000", "1d6+101", "1d6-101",
            "1d6++1", "2x6", "d20 + d6", "1d6; drop table", "-1d6", "1d6+1+1", "abcdefghijklmnopqrstuvwxyz0123456789"})
    void refusesMalformedInputWithAMessage(String text) {
        var e = assertThrows(DiceFormula.InvalidFormula.class, () -> DiceFormula.parse(text));
        assertTrue(!e.getMessage().isBlank());
    }

    @Test
    void nullIsRefused() {
        assertThrows(DiceFormula.InvalidFormula.class, () -> DiceFormula.parse(null));
    }

    @Test
    void everyFaceComesUpAndNothingElse() throws Exception {
        DiceFormula f = DiceFormula.parse("100d6");
        SplittableRandom rng = new SplittableRandom(42);
        int[] seen = new int[7];
        for (int i = 0; i < 100; i++) {
            for (int v : f.roll(rng)) {
                assertTrue(v >= 1 && v <= 6);
                seen[v]++;
            }
        }
        for (int face = 1; face <= 6; face++) {
            assertTrue(seen[face] > 1400 && seen[face] < 1950, "face " + face + " seen " + seen[face]);
        }
    }

    @Test
    void aSeededRollIsReproducible() throws Exception {
        DiceFormula f = DiceFormula.parse("5d20");
        List<Integer> a = f.roll(new SplittableRandom(7));
        List<Integer> b = f.roll(new SplittableRandom(7));
        assertEquals(a, b);
    }
}
