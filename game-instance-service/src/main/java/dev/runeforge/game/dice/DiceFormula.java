package dev.runeforge.game.dice;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dice notation {@code NdX+M}: N dice (1-100, default 1) of X sides (4, 6, 8, 10, 12, 20 or 100) and a
 * modifier (-100..+100). Parsing never throws anything but {@link InvalidFormula}, whose message is for users.
 */
public record DiceFormula(int count, int sides, int modifier) {
    public static final Set<Integer> SIDES = Set.of(4, 6, 8, 10, 12, 20, 100);
    public static final int MAX_COUNT = 100;
    public static final int MAX_MODIFIER = 100;
    private static final int MAX_TEXT = 32;
    private static final Pattern NOTATION = Pattern.compile("(\\d{0,3})d(\\d{1,3})(?:([+-])(\\d{1,3}))?");

    public static final class InvalidFormula extends Exception {
        public InvalidFormula(String message) {
            super(message);
        }
    }

    public DiceFormula {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("count out of range");
        }
        if (!SIDES.contains(sides)) {
            throw new IllegalArgumentException("unsupported die");
        }
        if (Math.abs(modifier) > MAX_MODIFIER) {
            throw new IllegalArgumentException("modifier out of range");
        }
    }

    public static DiceFormula parse(String text) throws InvalidFormula {
        if (text == null || text.isBlank()) {
            throw new InvalidFormula("a dice formula is required, e.g. 2d6+3");
        }
        if (text.length() > MAX_TEXT) {
            throw new InvalidFormula("a dice formula has at most " + MAX_TEXT + " characters");
        }
        String compact = text.replace(" ", "").toLowerCase(Locale.ROOT);
        Matcher m = NOTATION.matcher(compact);
        if (!m.matches()) {
            throw new InvalidFormula("'" + text + "' is not dice notation like 2d6+3");
        }
        int count = m.group(1).isEmpty() ? 1 : Integer.parseInt(m.group(1));
        int sides = Integer.parseInt(m.group(2));
        int modifier = m.group(3) == null ? 0 : Integer.parseInt(m.group(4)) * ("-".equals(m.group(3)) ? -1 : 1);
        if (count < 1 || count > MAX_COUNT) {
            throw new InvalidFormula("roll 1 to " + MAX_COUNT + " dice at a time");
        }
        if (!SIDES.contains(sides)) {
            throw new InvalidFormula("d" + sides + " is not a die here; use d4, d6, d8, d10, d12, d20 or d100");
        }
        if (Math.abs(modifier) > MAX_MODIFIER) {
            throw new InvalidFormula("the modifier must be between -" + MAX_MODIFIER + " and +" + MAX_MODIFIER);
        }
        return new DiceFormula(count, sides, modifier);
    }

    /** Draws the dice: each value uniform in 1..sides. */
    public List<Integer> roll(RandomGenerator rng) {
        List<Integer> dice = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            dice.add(1 + rng.nextInt(sides));
        }
        return List.copyOf(dice);
    }

    /** Canonical text: {@code 2d6+3}, {@code 1d20}, {@code 3d8-1}. */
    @Override
    public String toString() {
        return count + "d" + sides + (modifier == 0 ? "" : (modifier > 0 ? "+" : "") + modifier);
    }
}
