package dev.runeforge.platform;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Client frames for the protocol fuzz test, from a seed (the same seed gives the same frames, so a failure is
 * reproduced with {@code -Drf.fuzz.seed=<seed>}). A small generator of our own, not a property-testing library:
 * every client message type (hello, create, join, action with every dice and tactics command, leave, ping, and
 * types that do not exist), each either valid or mutated: a field missing, of the wrong type, a huge or
 * fractional number, odd unicode (astral, right-to-left, zero-width, control characters, NUL), deep nesting,
 * truncated JSON, or not JSON at all. Pure: no I/O.
 */
final class FrameFuzzer {
    static final List<String> MESSAGE_TYPES = List.of("hello", "create", "join", "action", "leave", "ping");
    private static final List<String> COMMANDS = List.of(
            // dice
            "roll", "reveal", "set_dc", "clear_dc", "promote", "kick", "history", "chat", "lock",
            // tactics
            "claim", "release", "assign", "add_unit", "remove_unit", "start", "move", "attack", "end_turn",
            "skip_turn", "rematch",
            // the engine's own and nonsense
            "END", "JOIN", "", "__proto__", "constructor");
    private static final List<String> FIELDS = List.of("formula", "mode", "label", "advantage", "hidden", "roll", "dc",
            "player", "before", "limit", "text", "unit", "x", "y", "target", "side", "name", "scenario", "units", "kind",
            "locked");
    private static final List<String> FORMULAS = List.of("1d20", "2d6+3", "d%", "4d6kh3", "1d20!", "0d0", "999d999",
            "1d20+1d20+1d20+1d20", "d", "1d-1", "1d20 + 5", "((1d6))", "1d9999999999");
    private static final List<String> ODD = List.of("\u0000", "\u200B", "\u202E", "\u115F", "\uFEFF", "\u0410da",
            "\uD835\uDD04", "\uD83D\uDE00", "\r\n", "\\", "\"", "</script>", "%s%n", "${jndi:x}", "' OR 1=1 --",
            "\u0301", "\u00A0", "\u2028", "\uFFFF", "Zo\u00EB");

    private final SplittableRandom rng;

    FrameFuzzer(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    /** One frame as text; {@code session} is the socket's current session (or null). */
    String next(String session) {
        int shape = rng.nextInt(100);
        if (shape < 3) {
            return garbage();
        }
        String type = shape < 6 ? pick(List.of("hello2", "HELLO", "", "join ", "evil")) : pick(MESSAGE_TYPES);
        StringBuilder json = new StringBuilder("{");
        field(json, "type", quote(type));
        boolean valid = rng.nextInt(100) < 45;
        switch (type) {
            case "hello" -> {
                field(json, "v", valid ? "1" : number());
                if (rng.nextInt(4) == 0) {
                    field(json, "resume", "{\"session\":" + (valid && session != null ? quote(session) : value(2))
                            + ",\"lastSeq\":" + (valid ? Integer.toString(rng.nextInt(50)) : number()) + "}");
                }
            }
            case "create" -> {
                maybeId(json, valid);
                field(json, "game", valid ? quote(pick(List.of("dice", "tactics"))) : value(2));
                field(json, "settings", valid ? settings() : value(2));
            }
            case "join" -> {
                maybeId(json, valid);
                field(json, "code", valid ? quote(code()) : value(2));
            }
            case "action" -> {
                maybeId(json, valid);
                field(json, "session", valid && session != null ? quote(session) : value(2));
                field(json, "body", valid || rng.nextBoolean() ? body() : value(3));
            }
            case "leave" -> {
                maybeId(json, valid);
                field(json, "session", valid && session != null ? quote(session) : value(2));
            }
            case "ping" -> field(json, "t", valid ? Long.toString(rng.nextLong()) : number());
            default -> field(json, pick(FIELDS), value(3));
        }
        if (rng.nextInt(10) == 0) {
            field(json, pick(FIELDS), value(3)); // an extra field
        }
        json.setCharAt(json.length() - 1, '}');
        String frame = json.toString();
        if (rng.nextInt(20) == 0) {
            int cut = rng.nextInt(frame.length());
            if (cut > 0 && Character.isHighSurrogate(frame.charAt(cut - 1))) {
                cut--; // a lone surrogate cannot be sent as text at all
            }
            return frame.substring(0, cut); // truncated
        }
        return frame;
    }

    private String garbage() {
        return switch (rng.nextInt(8)) {
            case 0 -> "null";
            case 1 -> Integer.toString(rng.nextInt());
            case 2 -> "[" + value(3) + "]";
            case 3 -> quote(text());
            case 4 -> "true";
            case 5 -> "[".repeat(1 + rng.nextInt(3000)); // deep nesting
            case 6 -> "{\"type\":\"ping\",\"t\":" + "9".repeat(1 + rng.nextInt(400)) + "}";
            default -> text();
        };
    }

    private void maybeId(StringBuilder json, boolean valid) {
        if (valid || rng.nextInt(3) > 0) {
            field(json, "id", valid ? quote("f" + Long.toHexString(rng.nextLong())) : value(1));
        }
    }

    private String settings() {
        StringBuilder s = new StringBuilder("{");
        int n = rng.nextInt(3);
        for (int i = 0; i < n; i++) {
            field(s, pick(List.of("mode", "scenario", "turnSeconds", "maxPlayers", "name")), value(2));
        }
        if (n == 0) {
            return "{}";
        }
        s.setCharAt(s.length() - 1, '}');
        return s.toString();
    }

    private String body() {
        StringBuilder b = new StringBuilder("{");
        field(b, "type", rng.nextInt(10) == 0 ? value(1) : quote(pick(COMMANDS)));
        int n = rng.nextInt(4);
        for (int i = 0; i < n; i++) {
            String f = pick(FIELDS);
            field(b, f, f.equals("formula") && rng.nextBoolean() ? quote(pick(FORMULAS)) : value(2));
        }
        b.setCharAt(b.length() - 1, '}');
        return b.toString();
    }

    private String code() {
        return switch (rng.nextInt(4)) {
            case 0 -> "WOLF-RUNE-" + String.format("%04d", rng.nextInt(10_000));
            case 1 -> "WOLF-" + rng.nextInt(10_000);
            case 2 -> text();
            default -> "wolf rune " + rng.nextInt(100_000);
        };
    }

    /** Any JSON value, nested up to {@code depth}. */
    private String value(int depth) {
        int k = rng.nextInt(depth > 0 ? 9 : 6);
        return switch (k) {
            case 0 -> "null";
            case 1 -> rng.nextBoolean() ? "true" : "false";
            case 2 -> number();
            case 3 -> quote(text());
            case 4 -> quote(pick(ODD));
            case 5 -> quote("");
            case 6 -> "[" + value(depth - 1) + "," + value(depth - 1) + "]";
            case 7 -> "{" + quote(pick(FIELDS)) + ":" + value(depth - 1) + "}";
            default -> "{}";
        };
    }

    private String number() {
        return switch (rng.nextInt(10)) {
            case 0 -> "1e400";
            case 1 -> "-1";
            case 2 -> "0";
            case 3 -> "2147483648";
            case 4 -> "9223372036854775808";
            case 5 -> "1.5";
            case 6 -> "-0.0";
            case 7 -> "1" + "0".repeat(rng.nextInt(200));
            case 8 -> Long.toString(rng.nextLong());
            default -> Integer.toString(rng.nextInt(100));
        };
    }

    /** Up to 40 random code points: ASCII, Latin, Cyrillic, CJK, astral, controls, invisibles. */
    private String text() {
        StringBuilder s = new StringBuilder();
        int n = rng.nextInt(41);
        for (int i = 0; i < n; i++) {
            int cp = switch (rng.nextInt(8)) {
                case 0 -> rng.nextInt(0x20);
                case 1 -> 0x400 + rng.nextInt(0x100);
                case 2 -> 0x4E00 + rng.nextInt(0x1000);
                case 3 -> 0x1F300 + rng.nextInt(0x300);
                case 4 -> pick(List.of(0x200B, 0x202E, 0x115F, 0xFEFF, 0x2066, 0x0301, 0x00AD));
                case 5 -> 0xA0 + rng.nextInt(0x100);
                default -> 0x20 + rng.nextInt(0x5F);
            };
            s.appendCodePoint(cp);
        }
        return s.toString();
    }

    private <T> T pick(List<T> from) {
        return from.get(rng.nextInt(from.size()));
    }

    private static void field(StringBuilder json, String name, String value) {
        json.append(quote(name)).append(':').append(value).append(',');
    }

    /** A JSON string: escapes quotes, backslashes and controls, leaves every other code point as it is. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
