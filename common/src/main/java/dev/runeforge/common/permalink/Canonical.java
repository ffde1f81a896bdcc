package dev.runeforge.common.permalink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The canonical bytes of a JSON value, as RFC 8785 (JCS) defines them for the subset Rune Forge signs: objects,
 * arrays, strings, booleans and integers. Members are sorted by their names' UTF-16 code units, there is no
 * whitespace, strings are escaped exactly as ECMAScript's {@code JSON.stringify} does, and the result is UTF-8.
 * Members whose value is null are left out (so a value and its JSON with nulls omitted canonicalize the same),
 * which lets a browser rebuild the same bytes with {@code JSON.stringify} and a key sort (roll.js).
 * Fractions are refused: JCS's number form for them (ECMAScript's shortest round trip) is not needed here.
 */
public final class Canonical {
    private Canonical() {
    }

    public static byte[] bytes(JsonNode value) {
        StringBuilder out = new StringBuilder(256);
        write(value, out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static String text(JsonNode value) {
        return new String(bytes(value), StandardCharsets.UTF_8);
    }

    private static void write(JsonNode v, StringBuilder out) {
        switch (v.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
                v.properties().forEach(members::add);
                // String.compareTo compares UTF-16 code units: exactly JCS's member order.
                members.sort(Map.Entry.comparingByKey());
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, JsonNode> m : members) {
                    if (m.getValue().isNull() || m.getValue().isMissingNode()) {
                        continue;
                    }
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    string(m.getKey(), out);
                    out.append(':');
                    write(m.getValue(), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < v.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(v.get(i), out);
                }
                out.append(']');
            }
            case STRING -> string(v.textValue(), out);
            case BOOLEAN -> out.append(v.booleanValue());
            case NUMBER -> {
                if (!v.canConvertToExactIntegral() || !v.canConvertToLong()
                        || Math.abs(v.longValue()) > (1L << 53) - 1) {
                    throw new IllegalArgumentException("only integers up to 2^53 - 1 have a canonical form here: " + v);
                }
                out.append(v.longValue());
            }
            case NULL, MISSING -> out.append("null");
            default -> throw new IllegalArgumentException("no canonical form for " + v.getNodeType());
        }
    }

    /** ECMAScript JSON.stringify's string form (well-formed: lone surrogates escaped). */
    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    boolean lone = Character.isHighSurrogate(c)
                            ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                            : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || lone) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
