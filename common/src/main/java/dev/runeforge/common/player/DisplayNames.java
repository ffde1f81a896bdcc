package dev.runeforge.common.player;

import java.text.Normalizer;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one rule for names people see: a guest's display name (auth-service), a name taken from a sign-in
 * provider, the name a game shows a player by, and a tactics scenario's or unit's name. The browser client is to
 * check the same rule before it sends a name; its cases are shared ({@code common/src/test/resources/display-names.json}).
 *
 * <p>A name is 1 to {@value #MAX_LENGTH} characters (code points) of letters (with their combining marks), digits,
 * spaces, hyphens and apostrophes ({@code '} and {@code ’}), with at least one letter or digit: "Ana-Maria",
 * "O'Neil", "Zoë 2". It is normalised first: Unicode NFC (so a decomposed "Zoë" counts as 3 characters), outer
 * spaces stripped, inner runs of spaces folded to one. Everything else (markup, quotes, control and formatting
 * characters, emoji) is refused: names end up in headers, logs, link previews and other players' screens.
 *
 * <p>Two more refusals keep one player from passing for another (issue 16): <b>invisible</b> characters, Unicode's
 * default-ignorable code points, even those that count as letters or marks (the Hangul fillers U+115F, U+1160,
 * U+3164, U+FFA0, variation selectors, U+034F), and <b>mixed scripts</b>: the letters of a name come from one
 * script ("Аda" with a Cyrillic А next to "Ada" is refused), except the mixes a language writes with (Han with
 * Hiragana and Katakana, Han with Hangul, Han with Bopomofo). Digits, spaces, hyphens, apostrophes and combining
 * marks go with any script. (Whole-script look-alikes, such as an all-Cyrillic "аре" for "ape", are not caught.)
 */
public final class DisplayNames {
    public static final int MAX_LENGTH = 20;
    /** The rule in words, for messages. */
    public static final String RULE = "1 to " + MAX_LENGTH + " letters, digits, spaces, hyphens and apostrophes";

    private static final Pattern ALLOWED = Pattern.compile("[\\p{L}\\p{M}\\p{N} '\u2019-]+");
    private static final Pattern LETTER_OR_DIGIT = Pattern.compile(".*[\\p{L}\\p{N}].*");
    private static final Pattern NOT_ALLOWED = Pattern.compile("[^\\p{L}\\p{M}\\p{N} '\u2019-]+");

    private DisplayNames() {
    }

    /** Default-ignorable code points that \p{L} or \p{M} would let through (the others are refused as not allowed). */
    private static boolean invisible(int cp) {
        return cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 || cp == 0x17B5
                || (cp >= 0x180B && cp <= 0x180F) || cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFFA0
                || (cp >= 0xE0000 && cp <= 0xE0FFF) || (cp >= 0x1BCA0 && cp <= 0x1BCA3)
                || (cp >= 0x1D173 && cp <= 0x1D17A) || cp == 0x00AD || cp == 0x061C || (cp >= 0x200B && cp <= 0x200F)
                || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF
                || (cp >= 0xFFF0 && cp <= 0xFFF8);
    }

    /** Whether the name's letters (and script-specific digits) come from more than one script, beyond the allowed mixes. */
    static boolean mixesScripts(String name) {
        java.util.EnumSet<Character.UnicodeScript> scripts = java.util.EnumSet.noneOf(Character.UnicodeScript.class);
        name.codePoints().forEach(cp -> {
            Character.UnicodeScript script = Character.UnicodeScript.of(cp);
            if (script != Character.UnicodeScript.COMMON && script != Character.UnicodeScript.INHERITED
                    && script != Character.UnicodeScript.UNKNOWN) {
                scripts.add(script);
            }
        });
        if (scripts.size() <= 1) {
            return false;
        }
        scripts.remove(Character.UnicodeScript.HAN);
        return !(scripts.isEmpty()
                || java.util.EnumSet.of(Character.UnicodeScript.HIRAGANA, Character.UnicodeScript.KATAKANA).containsAll(scripts)
                || scripts.equals(java.util.EnumSet.of(Character.UnicodeScript.HANGUL))
                || scripts.equals(java.util.EnumSet.of(Character.UnicodeScript.BOPOMOFO)));
    }

    /** NFC, outer spaces stripped, inner runs of spaces folded to one; null becomes empty. */
    public static String normalize(String raw) {
        if (raw == null) {
            return "";
        }
        return Normalizer.normalize(raw, Normalizer.Form.NFC).strip().replaceAll(" {2,}", " ");
    }

    /** What is wrong with {@code raw} as a name, in words a player can act on; empty when it is a good name. */
    public static Optional<String> problem(String raw) {
        String name = normalize(raw);
        if (name.isEmpty()) {
            return Optional.of("a name is required");
        }
        if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
            return Optional.of("a name has at most " + MAX_LENGTH + " characters");
        }
        if (name.codePoints().anyMatch(DisplayNames::invisible)) {
            return Optional.of("a name may not hold invisible characters");
        }
        if (!ALLOWED.matcher(name).matches()) {
            return Optional.of("a name may hold only letters, digits, spaces, hyphens and apostrophes");
        }
        if (mixesScripts(name)) {
            return Optional.of("a name's letters must come from one script (no Cyrillic or Greek letter among Latin ones)");
        }
        if (!LETTER_OR_DIGIT.matcher(name).matches()) {
            return Optional.of("a name needs at least one letter or digit");
        }
        return Optional.empty();
    }

    /** Whether {@code name} is a good name as it is (already normalised: games get names from access tokens). */
    public static boolean valid(String name) {
        return name != null && name.equals(normalize(name)) && problem(name).isEmpty();
    }

    /** The normalised name, or {@link IllegalArgumentException} with {@link #problem}'s message. */
    public static String validate(String raw) {
        Optional<String> problem = problem(raw);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return normalize(raw);
    }

    /**
     * The closest good name to {@code raw} (a name from elsewhere, such as a sign-in provider's profile): what the
     * rule does not allow becomes a space, then it is normalised and cut to {@value #MAX_LENGTH} characters;
     * {@code fallback} when nothing is left.
     */
    public static String sanitize(String raw, String fallback) {
        String visible = normalize(raw).codePoints().filter(cp -> !invisible(cp))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        String cleaned = normalize(NOT_ALLOWED.matcher(visible).replaceAll(" "));
        if (cleaned.codePointCount(0, cleaned.length()) > MAX_LENGTH) {
            cleaned = normalize(cleaned.substring(0, cleaned.offsetByCodePoints(0, MAX_LENGTH)));
        }
        return problem(cleaned).isEmpty() ? cleaned : fallback;
    }
}
