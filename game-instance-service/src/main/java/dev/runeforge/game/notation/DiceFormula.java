package dev.runeforge.game.notation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Dice notation, case-insensitive, spaces ignored: a sum of dice terms and constants joined by {@code +} and
 * {@code -}, such as {@code 4d6kh3+1d8-2}.
 * <ul>
 *   <li>a dice term is {@code [N]dX}: N dice (1-100, default 1) of X sides (4, 6, 8, 10, 12, 20 or 100;
 *       {@code d%} is d100);</li>
 *   <li>{@code !} after it explodes the term: a die showing its maximum adds another die of the same kind;</li>
 *   <li>then at most one of {@code khK} (or {@code kK}), {@code klK} to keep the K highest/lowest dice (1..N), or
 *       {@code dlK}, {@code dhK} to drop the K lowest/highest (1..N-1);</li>
 *   <li>constants add up to the modifier, which must end in -100..+100.</li>
 * </ul>
 * A formula has at least one dice term, at most {@value #MAX_TERMS} terms, at most {@value #MAX_COUNT} dice
 * written and at most {@value #MAX_TEXT} characters. Parsing never throws anything but {@link InvalidFormula},
 * whose message is shown to players. Instances are immutable; equal formulas roll alike.
 */
public final class DiceFormula {
    public static final Set<Integer> SIDES = Set.of(4, 6, 8, 10, 12, 20, 100);
    /** Dice written in one formula, across all its terms. */
    public static final int MAX_COUNT = 100;
    public static final int MAX_MODIFIER = 100;
    public static final int MAX_TERMS = 10;
    public static final int MAX_TEXT = 64;
    /**
     * Dice drawn in one roll, explosions included. Written dice are at most {@link #MAX_COUNT}, so explosions always
     * get at least as many again; past the cap a die showing its maximum simply does not explode, so a roll ends.
     */
    public static final int MAX_DRAWN = 200;

    private static final String NOT_A_DIE = " is not a die here; use d4, d6, d8, d10, d12, d20 or d100";
    // Saturating bound for digit runs: far above every limit, far below int overflow.
    private static final int BIG = 1_000_000;

    public static final class InvalidFormula extends Exception {
        public InvalidFormula(String message) {
            super(message);
        }
    }

    public enum Advantage { NONE, ADVANTAGE, DISADVANTAGE }

    /** One die as it came up. {@code exploded}: it showed its maximum and caused the die after it to be drawn. */
    public record Die(int value, boolean kept, boolean exploded) {
    }

    /**
     * One rolled dice term. {@code count} is the number of dice written (explosions may draw more, all in
     * {@code dice}, each extra die right after the one that caused it); {@code notation} is the term without its
     * sign, e.g. {@code 4d6kh3}; {@code subtotal} is {@code sign} times the sum of the kept dice.
     */
    public record Term(int sign, int count, int sides, String notation, List<Die> dice, int subtotal) {
        public Term {
            if (sign != 1 && sign != -1) {
                throw new IllegalArgumentException("sign must be +1 or -1");
            }
            Objects.requireNonNull(notation);
            dice = List.copyOf(dice);
        }
    }

    /** A whole roll: {@code total} is the sum of the terms' subtotals plus {@code modifier}. */
    public record Result(String formula, List<Term> terms, int modifier, int total) {
        public Result {
            Objects.requireNonNull(formula);
            terms = List.copyOf(terms);
        }
    }

    private enum Pick {
        ALL(""), KEEP_HIGHEST("kh"), KEEP_LOWEST("kl"), DROP_LOWEST("dl"), DROP_HIGHEST("dh");

        final String suffix;

        Pick(String suffix) {
            this.suffix = suffix;
        }
    }

    /** A dice term as written; {@code n} is the keep/drop count (0 for {@link Pick#ALL}). */
    private record DiceTerm(int sign, int count, int sides, boolean explode, Pick pick, int n) {
        String notation() {
            return count + "d" + sides + (explode ? "!" : "") + (pick == Pick.ALL ? "" : pick.suffix + n);
        }

        /** How many of a pool of {@code drawn} dice are kept. */
        int kept(int drawn) {
            return switch (pick) {
                case ALL -> drawn;
                case KEEP_HIGHEST, KEEP_LOWEST -> n;
                case DROP_LOWEST, DROP_HIGHEST -> drawn - n;
            };
        }

        boolean keepsHighest() {
            return pick == Pick.KEEP_HIGHEST || pick == Pick.DROP_LOWEST;
        }
    }

    private final List<DiceTerm> terms;
    private final int modifier;

    private DiceFormula(List<DiceTerm> terms, int modifier) {
        this.terms = List.copyOf(terms);
        this.modifier = modifier;
    }

    public static DiceFormula parse(String text) throws InvalidFormula {
        if (text == null || text.isBlank()) {
            throw new InvalidFormula("a dice formula is required, e.g. 2d6+3");
        }
        if (text.length() > MAX_TEXT) {
            throw new InvalidFormula("a dice formula has at most " + MAX_TEXT + " characters");
        }
        DiceFormula formula = new Parser(text).formula();
        // Events store the canonical text and replays may parse it again, so it must pass the same limit; it can
        // outgrow the input only through shorthands (d% -> 1d100, k3 -> kh3).
        String canonical = formula.toString();
        if (canonical.length() > MAX_TEXT) {
            throw new InvalidFormula("a dice formula has at most " + MAX_TEXT + " characters when written in full, as "
                    + canonical);
        }
        return formula;
    }

    /**
     * Rolls a plain {@code 1d20} (constants allowed) twice, keeping the higher ({@code 2d20kh1}) or the lower
     * ({@code 2d20kl1}). {@link Advantage#NONE} leaves any formula as it is.
     */
    public DiceFormula withAdvantage(Advantage a) throws InvalidFormula {
        Objects.requireNonNull(a);
        if (a == Advantage.NONE) {
            return this;
        }
        String what = a == Advantage.ADVANTAGE ? "advantage" : "disadvantage";
        if (terms.size() != 1 || !terms.getFirst().equals(new DiceTerm(1, 1, 20, false, Pick.ALL, 0))) {
            throw new InvalidFormula(what + " applies to a single d20 roll, such as 1d20+5, not " + this);
        }
        Pick pick = a == Advantage.ADVANTAGE ? Pick.KEEP_HIGHEST : Pick.KEEP_LOWEST;
        return new DiceFormula(List.of(new DiceTerm(1, 2, 20, false, pick, 1)), modifier);
    }

    /** Draws {@code 1 + rng.nextInt(sides)} per die, terms left to right, each explosion right after its cause. */
    public Result roll(RandomGenerator rng) {
        Objects.requireNonNull(rng);
        int explosions = MAX_DRAWN - terms.stream().mapToInt(DiceTerm::count).sum();
        List<Term> rolled = new ArrayList<>(terms.size());
        int total = modifier;
        for (DiceTerm term : terms) {
            List<Integer> values = new ArrayList<>();
            List<Boolean> exploded = new ArrayList<>();
            for (int i = 0; i < term.count(); i++) {
                int value = 1 + rng.nextInt(term.sides());
                values.add(value);
                while (term.explode() && value == term.sides() && explosions > 0) {
                    explosions--;
                    exploded.add(true);
                    value = 1 + rng.nextInt(term.sides());
                    values.add(value);
                }
                exploded.add(false);
            }
            boolean[] kept = keep(term, values);
            List<Die> dice = new ArrayList<>(values.size());
            int sum = 0;
            for (int i = 0; i < values.size(); i++) {
                dice.add(new Die(values.get(i), kept[i], exploded.get(i)));
                sum += kept[i] ? values.get(i) : 0;
            }
            int subtotal = term.sign() * sum;
            total += subtotal;
            // Interned: a room keeps its rolls' terms (500 rolls), and most rolls share a handful of terms.
            rolled.add(new Term(term.sign(), term.count(), term.sides(), term.notation().intern(), dice, subtotal));
        }
        return new Result(toString(), rolled, modifier, total);
    }

    /** Marks the dice a term keeps; among equal values the earlier die is preferred. */
    private static boolean[] keep(DiceTerm term, List<Integer> values) {
        Comparator<Integer> byValue = Comparator.comparing(values::get);
        List<Integer> order = IntStream.range(0, values.size()).boxed()
                .sorted(term.keepsHighest() ? byValue.reversed() : byValue)
                .toList();
        boolean[] kept = new boolean[values.size()];
        order.stream().limit(term.kept(values.size())).forEach(i -> kept[i] = true);
        return kept;
    }

    public int modifier() {
        return modifier;
    }

    /** Canonical text: dice terms in the order written, then the modifier, e.g. {@code 4d6kh3+1d8-2}. */
    @Override
    public String toString() {
        String dice = terms.stream()
                .map(t -> (t.sign() < 0 ? "-" : "+") + t.notation())
                .collect(Collectors.joining());
        String text = dice.startsWith("+") ? dice.substring(1) : dice;
        return text + (modifier == 0 ? "" : (modifier > 0 ? "+" : "") + modifier);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DiceFormula f && f.terms.equals(terms) && f.modifier == modifier;
    }

    @Override
    public int hashCode() {
        return Objects.hash(terms, modifier);
    }

    /** Recursive descent over the text with spaces removed; {@code shown} is what messages quote. */
    private static final class Parser {
        private final String shown;
        private final String s;
        private int pos;

        Parser(String text) {
            this.shown = text.strip();
            this.s = text.codePoints()
                    .filter(c -> !Character.isWhitespace(c) && !Character.isSpaceChar(c))
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                    .toString()
                    .toLowerCase(Locale.ROOT);
        }

        DiceFormula formula() throws InvalidFormula {
            List<DiceTerm> dice = new ArrayList<>();
            long constants = 0;
            int written = 0;
            int count = 0;
            int sign = 1;
            // A leading sign is allowed so that a formula whose first dice term is negative reads back as written.
            if (at('+') || at('-')) {
                sign = at('-') ? -1 : 1;
                pos++;
            }
            while (true) {
                if (++count > MAX_TERMS) {
                    throw new InvalidFormula("a dice formula has at most " + MAX_TERMS + " terms");
                }
                int start = pos;
                int number = digits();
                if (at('d')) {
                    DiceTerm term = diceTerm(sign, number);
                    dice.add(term);
                    written += term.count();
                } else if (pos > start) {
                    constants += sign * (long) number;
                } else {
                    throw notNotation();
                }
                if (pos == s.length()) {
                    break;
                }
                if (!at('+') && !at('-')) {
                    throw notNotation();
                }
                sign = at('-') ? -1 : 1;
                pos++;
            }
            if (dice.isEmpty()) {
                throw new InvalidFormula("a dice formula needs at least one die, e.g. 1d20+3");
            }
            if (written > MAX_COUNT) {
                throw new InvalidFormula("roll 1 to " + MAX_COUNT + " dice at a time; this formula has " + written);
            }
            if (Math.abs(constants) > MAX_MODIFIER) {
                throw new InvalidFormula("the modifier must be between -" + MAX_MODIFIER + " and +" + MAX_MODIFIER);
            }
            return new DiceFormula(dice, (int) constants);
        }

        /** At the {@code d} of a dice term; {@code number} is the count written before it, or -1. */
        private DiceTerm diceTerm(int sign, int number) throws InvalidFormula {
            int count = number < 0 ? 1 : number;
            if (count < 1 || count > MAX_COUNT) {
                throw new InvalidFormula("roll 1 to " + MAX_COUNT + " dice at a time");
            }
            pos++;
            int sides;
            if (at('%')) {
                pos++;
                sides = 100;
            } else {
                int start = pos;
                sides = digits();
                if (sides < 0) {
                    throw new InvalidFormula("say which die to roll, e.g. " + count + "d6");
                }
                if (!SIDES.contains(sides)) {
                    throw new InvalidFormula("d" + s.substring(start, pos) + NOT_A_DIE);
                }
            }
            String dice = count + "d" + sides;
            boolean explode = false;
            Pick pick = Pick.ALL;
            int n = 0;
            while (at('!') || at('k') || at('d')) {
                if (at('!')) {
                    if (explode) {
                        throw new InvalidFormula("use a single ! to explode dice, e.g. " + dice + "!");
                    }
                    explode = true;
                    pos++;
                    continue;
                }
                if (pick != Pick.ALL) {
                    throw new InvalidFormula("keep or drop dice once per term, e.g. " + dice + pick.suffix + n);
                }
                pick = pick();
                n = digits();
                boolean keeps = pick == Pick.KEEP_HIGHEST || pick == Pick.KEEP_LOWEST;
                if (n < 0) {
                    throw new InvalidFormula(keeps
                            ? "say how many dice to keep, e.g. " + dice + pick.suffix + Math.max(1, count - 1)
                            : "say how many dice to drop, e.g. " + Math.max(2, count) + "d" + sides + pick.suffix + 1);
                }
                if (keeps && (n < 1 || n > count)) {
                    throw new InvalidFormula("keep 1 to " + count + " of " + dice);
                }
                if (!keeps && count == 1) {
                    throw new InvalidFormula("there is nothing to drop from " + dice + "; roll more, e.g. 2d" + sides
                            + pick.suffix + "1");
                }
                if (!keeps && (n < 1 || n > count - 1)) {
                    throw new InvalidFormula("drop 1 to " + (count - 1) + " of " + dice);
                }
            }
            return new DiceTerm(sign, count, sides, explode, pick, n);
        }

        /** At {@code k} or {@code d}: reads kh, kl, k (= kh), dl or dh. */
        private Pick pick() throws InvalidFormula {
            boolean keep = at('k');
            pos++;
            if (at('h') || at('l')) {
                boolean high = at('h');
                pos++;
                return keep ? (high ? Pick.KEEP_HIGHEST : Pick.KEEP_LOWEST) : (high ? Pick.DROP_HIGHEST : Pick.DROP_LOWEST);
            }
            if (keep) {
                return Pick.KEEP_HIGHEST;
            }
            throw notNotation();
        }

        /** Reads a run of ASCII digits, saturating at {@link #BIG}; -1 when there is none. */
        private int digits() {
            int value = -1;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                value = Math.min(BIG, Math.max(value, 0) * 10 + (s.charAt(pos) - '0'));
                pos++;
            }
            return value;
        }

        private boolean at(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        private InvalidFormula notNotation() {
            return new InvalidFormula("'" + shown + "' is not dice notation like 2d6+3");
        }
    }
}
