package dev.runeforge.game.notation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import dev.runeforge.common.json.Json;
import dev.runeforge.game.notation.DiceFormula.Advantage;
import dev.runeforge.game.notation.DiceFormula.Die;
import dev.runeforge.game.notation.DiceFormula.InvalidFormula;
import dev.runeforge.game.notation.DiceFormula.Result;
import dev.runeforge.game.notation.DiceFormula.Term;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DiceFormulaTest {
    /** Hands out the given faces in order, failing the test if one does not fit the die being rolled. */
    private static final class Faces implements RandomGenerator {
        private final int[] faces;
        private int next;

        Faces(int... faces) {
            this.faces = faces;
        }

        @Override
        public int nextInt(int bound) {
            if (next == faces.length) {
                throw new AssertionError("more dice drawn than the " + faces.length + " scripted");
            }
            int face = faces[next++];
            if (face < 1 || face > bound) {
                throw new AssertionError("face " + face + " scripted for a d" + bound);
            }
            return face - 1;
        }

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("dice are drawn with nextInt(bound)");
        }

        int drawn() {
            return next;
        }
    }

    /** Every die comes up at its maximum, so every exploding die explodes. */
    private static final class AlwaysMax implements RandomGenerator {
        int drawn;

        @Override
        public int nextInt(int bound) {
            drawn++;
            return bound - 1;
        }

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("dice are drawn with nextInt(bound)");
        }
    }

    private static DiceFormula parse(String text) {
        try {
            return DiceFormula.parse(text);
        } catch (InvalidFormula e) {
            return fail("'" + text + "' was refused: " + e.getMessage());
        }
    }

    private static List<Integer> values(Term term) {
        return term.dice().stream().map(Die::value).toList();
    }

    private static List<Boolean> kept(Term term) {
        return term.dice().stream().map(Die::kept).toList();
    }

    private static List<Boolean> exploded(Term term) {
        return term.dice().stream().map(Die::exploded).toList();
    }

    // --- parsing ---

    @ParameterizedTest
    @CsvSource({
            "1d20, 1d20",
            "d20, 1d20",
            "2d6+3, 2d6+3",
            "3D8-1, 3d8-1",
            "' 4 d 6 + 2 ', 4d6+2",
            "100d100+100, 100d100+100",
            "1d4-100, 1d4-100",
            "1d12+0, 1d12",
            "1d10, 1d10",
            "d%, 1d100",
            "1d8+2d6+3, 1d8+2d6+3",
            "2d6-1d4+2, 2d6-1d4+2",
            "d20 + d6, 1d20+1d6",
            "1d6+1+1, 1d6+2",
            "3+1d20-5, 1d20-2",
            "5-1d4, -1d4+5",
            "-1d6, -1d6",
            "+1d6, 1d6",
            "4d6kh3, 4d6kh3",
            "4d6k3, 4d6kh3",
            "4D6KH3, 4d6kh3",
            "2d20kl1, 2d20kl1",
            "4d6dl1, 4d6dl1",
            "4d6dh1, 4d6dh1",
            "3d6!, 3d6!",
            "4d6!kh3, 4d6!kh3",
            "4d6kh3!, 4d6!kh3",
            "'4d6kh3 + 1d8 - 2', 4d6kh3+1d8-2",
            "1d20kh1, 1d20kh1",
            "100d4kh100, 100d4kh100",
            "100d4dl99, 100d4dl99",
            "01d06+007, 1d6+7",
            "'1d4\t+\u00a01', 1d4+1",
    })
    void readsNotationAndWritesItCanonically(String text, String canonical) throws Exception {
        DiceFormula f = DiceFormula.parse(text);
        assertEquals(canonical, f.toString());
        assertEquals(f, DiceFormula.parse(canonical));
        assertEquals(f.hashCode(), DiceFormula.parse(canonical).hashCode());
    }

    @Test
    void constantsAddUpToTheModifier() {
        assertEquals(3, parse("1d6+1+1+1").modifier());
        assertEquals(-2, parse("1-3+1d6").modifier());
        assertEquals(0, parse("1d6+5-5").modifier());
        assertEquals(100, parse("1d6+60+40").modifier());
    }

    @Test
    void differentFormulasAreNotEqual() {
        assertNotEquals(parse("4d6kh3"), parse("4d6dl1"));
        assertNotEquals(parse("2d6"), parse("2d6!"));
        assertNotEquals(parse("1d6+1d4"), parse("1d6-1d4"));
        assertNotEquals(parse("1d6"), parse("1d6+1"));
        assertNotEquals(parse("1d6"), "1d6");
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        assertEquals("1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4", parse("d4+d4+d4+d4+d4+d4+d4+d4+d4+d4").toString());
        assertEquals(9, parse("1d4+1+1+1+1+1+1+1+1+1").modifier());
        assertEquals("50d6+50d8", parse("50d6+50d8").toString());
        String sixtyFour = "1d4" + " ".repeat(61);
        assertEquals(64, sixtyFour.length());
        assertEquals("1d4", parse(sixtyFour).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1d7 | d7 is not a die here; use d4, d6, d8, d10, d12, d20 or d100",
            "2d6+1d3 | d3 is not a die here; use d4, d6, d8, d10, d12, d20 or d100",
            "1d0 | d0 is not a die here; use d4, d6, d8, d10, d12, d20 or d100",
            "1d99999999999 | d99999999999 is not a die here; use d4, d6, d8, d10, d12, d20 or d100",
            "4d6kh5 | keep 1 to 4 of 4d6",
            "4d6k0 | keep 1 to 4 of 4d6",
            "2d20kl3 | keep 1 to 2 of 2d20",
            "4d6dl4 | drop 1 to 3 of 4d6",
            "4d6dh0 | drop 1 to 3 of 4d6",
            "1d6dl1 | there is nothing to drop from 1d6; roll more, e.g. 2d6dl1",
            "0d6 | roll 1 to 100 dice at a time",
            "101d6 | roll 1 to 100 dice at a time",
            "99999999999999999999d6 | roll 1 to 100 dice at a time",
            "60d6+41d8 | roll 1 to 100 dice at a time; this formula has 101",
            "1d6+101 | the modifier must be between -100 and +100",
            "1d6-101 | the modifier must be between -100 and +100",
            "1d6+60+41 | the modifier must be between -100 and +100",
            "1d6+99999999999999999999 | the modifier must be between -100 and +100",
            "2d6++3 | '2d6++3' is not dice notation like 2d6+3",
            "2x6 | '2x6' is not dice notation like 2d6+3",
            "' 2d6 +' | '2d6 +' is not dice notation like 2d6+3",
            "2d | say which die to roll, e.g. 2d6",
            "d+3 | say which die to roll, e.g. 1d6",
            "4d6kh | say how many dice to keep, e.g. 4d6kh3",
            "4d6kl | say how many dice to keep, e.g. 4d6kl3",
            "4d6dl | say how many dice to drop, e.g. 4d6dl1",
            "1d6dh | say how many dice to drop, e.g. 2d6dh1",
            "3d6!! | use a single ! to explode dice, e.g. 3d6!",
            "4d6kh3dl1 | keep or drop dice once per term, e.g. 4d6kh3",
            "3+4 | a dice formula needs at least one die, e.g. 1d20+3",
            "1d4+1+1+1+1+1+1+1+1+1+1 | a dice formula has at most 10 terms",
            "d4+d4+d4+d4+d4+d4+d4+d4+d4+d4+d4 | a dice formula has at most 10 terms",
    })
    void refusesWithAMessageThatSaysWhatIsWrong(String text, String message) {
        var e = assertThrows(InvalidFormula.class, () -> DiceFormula.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void refusesTextLongerThanSixtyFourCharacters() {
        String sixtyFive = "1d4" + " ".repeat(62);
        var e = assertThrows(InvalidFormula.class, () -> DiceFormula.parse(sixtyFive));
        assertEquals("a dice formula has at most 64 characters", e.getMessage());
    }

    @Test
    void refusesShorthandThatOutgrowsTheLimitWhenWrittenInFull() {
        // 59 characters as typed; 1d4!kh1 written out ten times no longer fits, and events store the long form.
        String text = String.join("+", Collections.nCopies(10, "d4!k1"));
        assertTrue(text.length() <= 64);
        var e = assertThrows(InvalidFormula.class, () -> DiceFormula.parse(text));
        assertTrue(e.getMessage().startsWith("a dice formula has at most 64 characters when written in full"),
                e.getMessage());
    }

    @Test
    void shorthandThatGrowsToExactlySixtyFourCharactersInFullIsTaken() {
        // 48 characters as typed; 1d4!kh1 seven times and 1d10!kh1 once, with seven '+', is 64 written out.
        String text = String.join("+", Collections.nCopies(7, "d4!k1")) + "+d10!k1";
        String full = parse(text).toString();
        assertEquals(64, full.length(), full);
        assertEquals(full, parse(full).toString());
    }

    @Test
    void aBlankOrMissingFormulaIsRefused() {
        for (String text : new String[] {null, "", " ", "\t\n"}) {
            var e = assertThrows(InvalidFormula.class, () -> DiceFormula.parse(text));
            assertEquals("a dice formula is required, e.g. 2d6+3", e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"d", "2d", "0d6", "101d6", "1d7", "1d0", "1d1000", "1d6+101", "1d6-101", "1d6++1", "2x6",
            "1d6; drop table", "--1d6", "+-1d6", "1d6+", "+", "-", "1d6-!", "!", "%", "d%%", "1d%6", "kh3", "1d6d6",
            "4dl1", "4d6d", "4d6k", "4d6h3", "4d6l1", "4d6kx1", "4d6dd1", "1d20!kh", "x", "d20x", "1e3d6", "NaN",
            "1.5d6", "1d6*2", "1d6/2", "(1d6)", "1d6+1d", "2d6+3d", "１d６", "\u0661d\u0666", "1d6\u0000",
            "d20 + d6 +", "1d6 1d6", "6 6", "1d6kh1kh1", "1d6!!!", "4d6!kh3!", "abcdefghijklmnopqrstuvwxyz0123456789",
            "1d4+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1"})
    void refusesMalformedInputWithAMessage(String text) {
        var e = assertThrows(InvalidFormula.class, () -> DiceFormula.parse(text));
        assertFalse(e.getMessage().isBlank());
    }

    private static final String FUZZ_ALPHABET = "0123456789dDkKhHlL!+- %x";

    @Test
    void randomTextOnlyEverParsesOrIsRefused() {
        SplittableRandom random = new SplittableRandom(20261122);
        int accepted = 0;
        for (int i = 0; i < 10_000; i++) {
            int length = random.nextInt(10) == 0 ? random.nextInt(80) : random.nextInt(1, 12);
            StringBuilder text = new StringBuilder();
            for (int j = 0; j < length; j++) {
                text.append(FUZZ_ALPHABET.charAt(random.nextInt(FUZZ_ALPHABET.length())));
            }
            accepted += parsesOrIsRefused(text.toString(), random) ? 1 : 0;
        }
        // Guards the generator: the loop must reach the accepting path, not only the refusals.
        assertTrue(accepted > 10, "only " + accepted + " random texts were dice notation");
    }

    @Test
    void nearlyValidTextOnlyEverParsesOrIsRefused() {
        // Uniform noise is rarely notation; edits of valid formulas probe the boundary where parsers slip.
        List<String> seeds = List.of("4d6kh3+1d8-2", "2d20kl1+5", "3d6!", "4d6!dl1", "d%-1d4", "100d4dh99", "1d20+1+2+3",
                "-1d6+2d8", "10d10k5", "1d12 + 1d6 - 4");
        SplittableRandom random = new SplittableRandom(99);
        int accepted = 0;
        for (int i = 0; i < 10_000; i++) {
            StringBuilder text = new StringBuilder(seeds.get(random.nextInt(seeds.size())));
            for (int edits = random.nextInt(1, 4); edits > 0; edits--) {
                char c = FUZZ_ALPHABET.charAt(random.nextInt(FUZZ_ALPHABET.length()));
                int at = random.nextInt(text.length() + 1);
                switch (random.nextInt(3)) {
                    case 0 -> text.insert(at, c);
                    case 1 -> text.deleteCharAt(Math.min(at, text.length() - 1));
                    default -> text.setCharAt(Math.min(at, text.length() - 1), c);
                }
                if (text.isEmpty()) {
                    break;
                }
            }
            accepted += parsesOrIsRefused(text.toString(), random) ? 1 : 0;
        }
        assertTrue(accepted > 1000, "only " + accepted + " edited texts were dice notation");
    }

    /** Parses and, when accepted, rolls; anything but InvalidFormula fails the test. */
    private static boolean parsesOrIsRefused(String text, RandomGenerator rng) {
        DiceFormula f;
        try {
            f = DiceFormula.parse(text);
        } catch (InvalidFormula e) {
            assertFalse(e.getMessage().isBlank(), text);
            return false;
        } catch (RuntimeException e) {
            throw new AssertionError("'" + text + "' threw " + e, e);
        }
        assertEquals(f, parse(f.toString()), text);
        assertRollHoldsTogether(f, f.roll(rng));
        return true;
    }

    // --- rolling ---

    @Test
    void aPlainRollAddsItsDiceAndModifier() {
        Result r = parse("2d6+3").roll(new Faces(4, 2));
        assertEquals("2d6+3", r.formula());
        assertEquals(1, r.terms().size());
        Term t = r.terms().getFirst();
        assertEquals(new Term(1, 2, 6, "2d6", List.of(new Die(4, true, false), new Die(2, true, false)), 6), t);
        assertEquals(3, r.modifier());
        assertEquals(9, r.total());
    }

    @Test
    void keepHighestKeepsTheHighestDiceAndDropsTheRest() {
        Term t = parse("4d6kh3").roll(new Faces(3, 6, 1, 5)).terms().getFirst();
        assertEquals(List.of(3, 6, 1, 5), values(t));
        assertEquals(List.of(true, true, false, true), kept(t));
        assertEquals(14, t.subtotal());
        assertEquals("4d6kh3", t.notation());
    }

    @Test
    void keepLowestKeepsTheLowestDice() {
        Result r = parse("2d20kl1").roll(new Faces(17, 4));
        assertEquals(List.of(false, true), kept(r.terms().getFirst()));
        assertEquals(4, r.total());
    }

    @Test
    void dropLowestAndDropHighestDropTheRightDice() {
        Term low = parse("4d6dl1").roll(new Faces(3, 6, 1, 5)).terms().getFirst();
        assertEquals(List.of(true, true, false, true), kept(low));
        assertEquals(14, low.subtotal());
        Term high = parse("4d6dh2").roll(new Faces(3, 6, 1, 5)).terms().getFirst();
        assertEquals(List.of(true, false, true, false), kept(high));
        assertEquals(4, high.subtotal());
    }

    @Test
    void amongEqualDiceTheEarlierOneIsKept() {
        Term t = parse("3d6kh1").roll(new Faces(5, 5, 2)).terms().getFirst();
        assertEquals(List.of(true, false, false), kept(t));
        Term lowest = parse("3d6kl2").roll(new Faces(2, 5, 2)).terms().getFirst();
        assertEquals(List.of(true, false, true), kept(lowest));
    }

    @Test
    void aDieShowingItsMaximumExplodesIntoAnotherThatMayExplodeAgain() {
        Term t = parse("3d6!").roll(new Faces(6, 6, 2, 3, 6, 1)).terms().getFirst();
        assertEquals(List.of(6, 6, 2, 3, 6, 1), values(t));
        assertEquals(List.of(true, true, false, false, true, false), exploded(t));
        assertEquals(3, t.count());
        assertEquals(24, t.subtotal());
    }

    @Test
    void withoutTheBangAMaximumDoesNotExplode() {
        Faces faces = new Faces(6, 6, 6);
        Term t = parse("3d6").roll(faces).terms().getFirst();
        assertEquals(3, faces.drawn());
        assertEquals(List.of(false, false, false), exploded(t));
    }

    @Test
    void keepAndDropChooseAmongExplodedDiceToo() {
        Term t = parse("2d6!kh2").roll(new Faces(6, 5, 1)).terms().getFirst();
        assertEquals(List.of(6, 5, 1), values(t));
        assertEquals(List.of(true, true, false), kept(t));
        assertEquals(11, t.subtotal());
        Term drop = parse("2d6!dl1").roll(new Faces(6, 5, 1)).terms().getFirst();
        assertEquals(List.of(true, true, false), kept(drop));
    }

    @Test
    void explosionsStopAtTwoHundredDiceSoARollAlwaysEnds() {
        AlwaysMax rng = new AlwaysMax();
        Term t = parse("100d4!").roll(rng).terms().getFirst();
        assertEquals(200, rng.drawn);
        assertEquals(200, t.dice().size());
        // The first die's chain takes every explosion the cap allows; its last die and all later ones stay put.
        assertEquals(100, t.dice().stream().filter(Die::exploded).count());
        assertTrue(t.dice().subList(0, 100).stream().allMatch(Die::exploded));
        assertFalse(t.dice().get(100).exploded());
        assertEquals(800, t.subtotal());
    }

    @Test
    void theExplosionCapLeavesRoomForEveryDieWritten() {
        AlwaysMax rng = new AlwaysMax();
        Result r = parse("50d6!+50d8").roll(rng);
        assertEquals(200, rng.drawn);
        assertEquals(150, r.terms().get(0).dice().size());
        assertEquals(50, r.terms().get(1).dice().size());
        assertEquals(150 * 6 + 50 * 8, r.total());
    }

    @Test
    void aFewWrittenDiceMayExplodeUpToTheCap() {
        AlwaysMax rng = new AlwaysMax();
        Term t = parse("1d4!").roll(rng).terms().getFirst();
        assertEquals(200, t.dice().size());
        assertEquals(199, t.dice().stream().filter(Die::exploded).count());
        assertFalse(t.dice().getLast().exploded());
    }

    @Test
    void aNegativeTermSubtractsItsDice() {
        Result r = parse("2d6-1d4+2").roll(new Faces(3, 5, 4));
        assertEquals(List.of(1, -1), r.terms().stream().map(Term::sign).toList());
        assertEquals(List.of(8, -4), r.terms().stream().map(Term::subtotal).toList());
        assertEquals("1d4", r.terms().get(1).notation());
        assertEquals(6, r.total());
    }

    @Test
    void aNegativeKeepTermSubtractsOnlyItsKeptDice() {
        Result r = parse("1d20-3d6kh1").roll(new Faces(10, 2, 5, 4));
        assertEquals(-5, r.terms().get(1).subtotal());
        assertEquals(5, r.total());
    }

    @Test
    void aRollCanComeOutNegative() {
        assertEquals(-3, parse("1d4-5").roll(new Faces(2)).total());
    }

    @Test
    void termsAreRolledLeftToRight() {
        Result r = parse("1d8+2d6+3").roll(new Faces(7, 1, 2));
        assertEquals(List.of(7), values(r.terms().get(0)));
        assertEquals(List.of(1, 2), values(r.terms().get(1)));
        assertEquals(13, r.total());
    }

    @Test
    void everyFaceComesUpAndNothingElse() {
        DiceFormula f = parse("100d6");
        SplittableRandom rng = new SplittableRandom(42);
        int[] seen = new int[7];
        for (int i = 0; i < 100; i++) {
            for (int v : values(f.roll(rng).terms().getFirst())) {
                assertTrue(v >= 1 && v <= 6);
                seen[v]++;
            }
        }
        for (int face = 1; face <= 6; face++) {
            assertTrue(seen[face] > 1400 && seen[face] < 1950, "face " + face + " seen " + seen[face]);
        }
    }

    @Test
    void aSeededRollIsReproducible() {
        DiceFormula f = parse("5d20!+4d6kh3-1d4+2");
        assertEquals(f.roll(new SplittableRandom(7)), f.roll(new SplittableRandom(7)));
    }

    // --- advantage ---

    @Test
    void advantageRollsTwoD20AndKeepsTheHigher() throws Exception {
        DiceFormula f = parse("1d20+5").withAdvantage(Advantage.ADVANTAGE);
        assertEquals("2d20kh1+5", f.toString());
        Result r = f.roll(new Faces(7, 15));
        assertEquals(List.of(false, true), kept(r.terms().getFirst()));
        assertEquals(20, r.total());
        assertEquals(f, parse(f.toString()));
    }

    @Test
    void disadvantageRollsTwoD20AndKeepsTheLower() throws Exception {
        DiceFormula f = parse("d20-1").withAdvantage(Advantage.DISADVANTAGE);
        assertEquals("2d20kl1-1", f.toString());
        assertEquals(6, f.roll(new Faces(7, 15)).total());
    }

    @Test
    void advantageAllowsConstantsAroundTheD20() throws Exception {
        assertEquals("2d20kh1+3", parse("1+1d20+2").withAdvantage(Advantage.ADVANTAGE).toString());
    }

    @Test
    void noAdvantageLeavesAnyFormulaAsItIs() throws Exception {
        DiceFormula f = parse("4d6kh3+1d8");
        assertSame(f, f.withAdvantage(Advantage.NONE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2d20", "1d20+1d4", "1d8", "1d20!", "1d20kh1", "2d20kh1", "3-1d20", "1d4+1d20"})
    void advantageIsRefusedForAnythingButASingleD20(String text) {
        DiceFormula f = parse(text);
        var e = assertThrows(InvalidFormula.class, () -> f.withAdvantage(Advantage.ADVANTAGE));
        assertTrue(e.getMessage().startsWith("advantage applies to a single d20 roll"), e.getMessage());
        assertTrue(e.getMessage().endsWith(f.toString()), e.getMessage());
        var d = assertThrows(InvalidFormula.class, () -> f.withAdvantage(Advantage.DISADVANTAGE));
        assertTrue(d.getMessage().startsWith("disadvantage applies to a single d20 roll"), d.getMessage());
    }

    // --- values ---

    @Test
    void aResultSurvivesAJsonRoundTripAsPlainRecords() throws Exception {
        Result r = parse("4d6!kh3-1d4+2").roll(new Faces(6, 2, 3, 1, 5, 4));
        String json = Json.text(r);
        assertTrue(json.contains("\"formula\":\"4d6!kh3-1d4+2\""), json);
        assertTrue(json.contains("{\"value\":6,\"kept\":true,\"exploded\":true}"), json);
        assertTrue(json.contains("\"sign\":-1"), json);
        assertEquals(r, Json.read(json, Result.class));
    }

    @Test
    void resultsCannotBeChangedAfterTheRoll() {
        List<Die> dice = new ArrayList<>(List.of(new Die(3, true, false)));
        Term t = new Term(1, 1, 6, "1d6", dice, 3);
        dice.add(new Die(6, true, false));
        assertEquals(1, t.dice().size());
        Result r = parse("1d6").roll(new Faces(2));
        assertThrows(UnsupportedOperationException.class, () -> r.terms().clear());
        assertThrows(UnsupportedOperationException.class, () -> r.terms().getFirst().dice().clear());
    }

    @Test
    void aTermSignIsPlusOrMinusOne() {
        assertThrows(IllegalArgumentException.class, () -> new Term(0, 1, 6, "1d6", List.of(), 0));
    }

    // --- properties over many generated formulas ---

    private record Spec(int sign, int count, int sides, boolean explode, String pick, int n) {
        String canonical() {
            return count + "d" + sides + (explode ? "!" : "") + pick + (pick.isEmpty() ? "" : n);
        }

        /** The same term as a player might type it: shorthand, odd case, stray spaces. */
        String typed(SplittableRandom random) {
            String dice = (count == 1 && random.nextBoolean() ? "" : String.valueOf(count)) + "d"
                    + (sides == 100 && random.nextBoolean() ? "%" : String.valueOf(sides));
            String p = pick.equals("kh") && random.nextBoolean() ? "k" : pick;
            String selection = pick.isEmpty() ? "" : p + n;
            String text = dice + (explode && random.nextBoolean() ? selection + "!" : (explode ? "!" : "") + selection);
            return random.nextBoolean() ? text.toUpperCase(Locale.ROOT) : text.replace("d", " d ");
        }

        int keptOf(int drawn) {
            return switch (pick) {
                case "kh", "kl" -> n;
                case "dl", "dh" -> drawn - n;
                default -> drawn;
            };
        }
    }

    private static final int[] SIDES = {4, 6, 8, 10, 12, 20, 100};

    private static List<Spec> specs(SplittableRandom random) {
        List<Spec> specs = new ArrayList<>();
        int budget = DiceFormula.MAX_COUNT;
        int terms = random.nextInt(1, 6);
        for (int i = 0; i < terms && budget > 0; i++) {
            int count = random.nextInt(4) == 0 ? random.nextInt(1, budget + 1) : random.nextInt(1, Math.min(6, budget + 1));
            budget -= count;
            String pick = count == 1 ? List.of("", "kh", "kl").get(random.nextInt(3))
                    : List.of("", "kh", "kl", "dl", "dh").get(random.nextInt(5));
            int n = switch (pick) {
                case "kh", "kl" -> random.nextInt(1, count + 1);
                case "dl", "dh" -> random.nextInt(1, count);
                default -> 0;
            };
            specs.add(new Spec(i > 0 && random.nextInt(4) == 0 ? -1 : 1, count, SIDES[random.nextInt(SIDES.length)],
                    random.nextInt(3) == 0, pick, n));
        }
        return specs;
    }

    @Test
    void everyGeneratedFormulaReadsBackAndRollsConsistently() {
        SplittableRandom random = new SplittableRandom(11);
        int checked = 0;
        for (int i = 0; i < 3000; i++) {
            List<Spec> specs = specs(random);
            int modifier = random.nextInt(-100, 101);
            StringBuilder canonical = new StringBuilder();
            StringBuilder typed = new StringBuilder();
            for (Spec spec : specs) {
                canonical.append(spec.sign() < 0 ? "-" : canonical.isEmpty() ? "" : "+").append(spec.canonical());
                typed.append(spec.sign() < 0 ? " -" : typed.isEmpty() ? "" : "+").append(spec.typed(random));
            }
            if (modifier != 0) {
                canonical.append(modifier > 0 ? "+" : "").append(modifier);
                typed.append(modifier > 0 ? "+ " : "- ").append(Math.abs(modifier));
            }
            if (canonical.length() > DiceFormula.MAX_TEXT || typed.length() > DiceFormula.MAX_TEXT) {
                continue;
            }
            DiceFormula f = parse(typed.toString());
            assertEquals(canonical.toString(), f.toString(), typed::toString);
            assertEquals(f, parse(f.toString()));
            assertEquals(modifier, f.modifier());
            Result r = f.roll(random);
            assertRollHoldsTogether(f, r);
            for (int t = 0; t < specs.size(); t++) {
                Spec spec = specs.get(t);
                Term term = r.terms().get(t);
                assertEquals(spec.keptOf(term.dice().size()), term.dice().stream().filter(Die::kept).count(),
                        () -> f + " " + term);
                if (!spec.explode()) {
                    assertEquals(spec.count(), term.dice().size());
                }
            }
            checked++;
        }
        assertTrue(checked > 2000, "only " + checked + " generated formulas fitted the length limit");
    }

    /** What must hold for any roll of any formula, whatever the dice showed. */
    private static void assertRollHoldsTogether(DiceFormula f, Result r) {
        assertEquals(f.toString(), r.formula());
        assertEquals(f.modifier(), r.modifier());
        int drawn = 0;
        int sum = 0;
        for (Term t : r.terms()) {
            List<Die> dice = t.dice();
            drawn += dice.size();
            long explosions = dice.stream().filter(Die::exploded).count();
            assertEquals(t.count() + explosions, dice.size(), t::toString);
            for (int i = 0; i < dice.size(); i++) {
                Die d = dice.get(i);
                assertTrue(d.value() >= 1 && d.value() <= t.sides(), t::toString);
                if (d.exploded()) {
                    assertEquals(t.sides(), d.value(), t::toString);
                    assertTrue(t.notation().contains("!"), t::toString);
                }
            }
            int minKept = dice.stream().filter(Die::kept).mapToInt(Die::value).min().orElse(Integer.MAX_VALUE);
            int maxKept = dice.stream().filter(Die::kept).mapToInt(Die::value).max().orElse(Integer.MIN_VALUE);
            int minDropped = dice.stream().filter(d -> !d.kept()).mapToInt(Die::value).min().orElse(Integer.MAX_VALUE);
            int maxDropped = dice.stream().filter(d -> !d.kept()).mapToInt(Die::value).max().orElse(Integer.MIN_VALUE);
            if (t.notation().contains("kh") || t.notation().contains("dl")) {
                assertTrue(minKept >= maxDropped, t::toString);
            } else if (t.notation().contains("kl") || t.notation().contains("dh")) {
                assertTrue(maxKept <= minDropped, t::toString);
            } else {
                assertTrue(dice.stream().allMatch(Die::kept), t::toString);
            }
            assertEquals(t.sign() * dice.stream().filter(Die::kept).mapToInt(Die::value).sum(), t.subtotal());
            sum += t.subtotal();
        }
        assertTrue(drawn <= DiceFormula.MAX_DRAWN);
        assertEquals(sum + r.modifier(), r.total());
    }
}
