package dev.runeforge.common.permalink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import org.junit.jupiter.api.Test;

class CanonicalTest {
    private static JsonNode json(String text) {
        return Json.read(text, JsonNode.class);
    }

    @Test
    void membersAreSortedByUtf16CodeUnitsWithoutWhitespace() {
        // RFC 8785 3.2.3's ordering example, reduced to its keys: "\r" < "1" < "\u0080" < "\u00f6" < "\u20ac" < "\ud83d\ude00" < "\ufb33".
        String in = "{\"\\u20ac\":1,\"\\r\":2,\"\\ufb33\":3,\"1\":4,\"\\ud83d\\ude00\":5,\"\\u0080\":6,\"\\u00f6\":7}";
        assertEquals("{\"\\r\":2,\"1\":4,\"\u0080\":6,\"\u00f6\":7,\"\u20ac\":1,\"\ud83d\ude00\":5,\"\ufb33\":3}",
                Canonical.text(json(in)));
        assertEquals("{\"a\":[1,true,{\"b\":\"x\",\"c\":-3}]}", Canonical.text(json(" { \"a\" : [ 1 , true , {\"c\":-3,\"b\":\"x\"} ] } ")));
    }

    @Test
    void stringsAreEscapedAsJsonStringifyDoes() {
        String in = "{\"s\":\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f / < \u00e9 \\ud800\"}";
        assertEquals("{\"s\":\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f / < \u00e9 \\ud800\"}", Canonical.text(json(in)));
        assertArrayEquals("{\"s\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8), Canonical.bytes(json("{\"s\":\"\\u00e9\"}")));
    }

    @Test
    void nullMembersAreLeftOutAndFractionsRefused() {
        assertEquals("{\"a\":1}", Canonical.text(json("{\"b\":null,\"a\":1}")));
        assertThrows(IllegalArgumentException.class, () -> Canonical.bytes(json("{\"a\":1.5}")));
        assertThrows(IllegalArgumentException.class, () -> Canonical.bytes(json("{\"a\":9007199254740993}")));
    }

    @Test
    void aPublicRollRoundTripsToTheSameCanonicalBytes() {
        PublicRoll roll = new PublicRoll(1, "AbCdEfGhIjKlMn_-", "r0f2", "Ada Lovelace", "4d6kh3+2",
                List.of(new PublicRoll.Term(1, 4, 6, "4d6kh3", List.of(new PublicRoll.Die(6, true, false),
                        new PublicRoll.Die(1, false, false), new PublicRoll.Die(4, true, false),
                        new PublicRoll.Die(5, true, false)), 15)),
                2, 17, null, null, false, 1_790_000_000_000L, null);
        String canonical = new String(roll.canonical(), StandardCharsets.UTF_8);
        assertEquals("{\"formula\":\"4d6kh3+2\",\"hidden\":false,\"id\":\"AbCdEfGhIjKlMn_-\",\"modifier\":2,"
                + "\"name\":\"Ada Lovelace\",\"rolledAt\":1790000000000,\"room\":\"r0f2\",\"terms\":[{\"count\":4,"
                + "\"dice\":[{\"exploded\":false,\"kept\":true,\"value\":6},{\"exploded\":false,\"kept\":false,\"value\":1},"
                + "{\"exploded\":false,\"kept\":true,\"value\":4},{\"exploded\":false,\"kept\":true,\"value\":5}],"
                + "\"notation\":\"4d6kh3\",\"sides\":6,\"sign\":1,\"subtotal\":15}],\"total\":17,\"v\":1}", canonical);
        PublicRoll back = PublicRoll.of(Json.read(Json.text(roll), JsonNode.class));
        assertEquals(roll, back);
        assertArrayEquals(roll.canonical(), back.canonical());
    }

    @Test
    void permalinkMessagesRoundTripThroughJson() {
        PublicRoll roll = new PublicRoll(1, "AbCdEfGhIjKlMn_-", "r", "Zoë", "1d20", List.of(new PublicRoll.Term(1, 1,
                20, "1d20", List.of(new PublicRoll.Die(20, true, false)), 20)), 0, 20, 15, true, true, 10L, 20L);
        Permalink permalink = new Permalink(roll, 30L);
        assertEquals(permalink, Json.read(Json.text(permalink), Permalink.class));
        Permalink.Signature sig = new Permalink.Signature("e30..c2ln", "kid-1");
        assertEquals(sig, Json.read(Json.text(sig), Permalink.Signature.class));
        assertEquals(new Permalink.Get("x"), Json.read("{\"id\":\"x\"}", Permalink.Get.class));
        assertThrows(IllegalArgumentException.class, () -> Json.read("{\"expiresAt\":1}", Permalink.class));
        assertThrows(IllegalArgumentException.class, () -> PublicRoll.of(Json.read("[1]", JsonNode.class)));
    }

    @Test
    void aPublicRollRefusesWhatCannotBePublic() {
        assertThrows(IllegalArgumentException.class, () -> new PublicRoll(1, "short", "r", "n", "d6", List.of(),
                0, 1, null, null, false, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new PublicRoll(1, "AbCdEfGhIjKlMn_-", "r", "n", "d6",
                List.of(), 0, 1, null, null, true, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new PublicRoll(1, "AbCdEfGhIjKlMn_-", "r", "n", "d6",
                List.of(), 0, 1, 10, null, false, 1, null));
    }

    @Test
    void aVersion2RollSignsItsLabelAndAdvantageAndLeavesThemOutWhenAbsent() {
        List<PublicRoll.Term> terms = List.of(new PublicRoll.Term(1, 2, 20, "2d20kh1", List.of(
                new PublicRoll.Die(17, true, false), new PublicRoll.Die(3, false, false)), 17));
        PublicRoll roll = new PublicRoll(PublicRoll.VERSION, "AbCdEfGhIjKlMn_-", "r", "O'Neil", "1d20+5", terms, 5, 22,
                null, null, false, 1L, null, "Stealth", "advantage");
        String canonical = new String(roll.canonical(), StandardCharsets.UTF_8);
        assertTrue(canonical.startsWith("{\"advantage\":\"advantage\",\"formula\":\"1d20+5\",\"hidden\":false,"
                + "\"id\":\"AbCdEfGhIjKlMn_-\",\"label\":\"Stealth\","), canonical);
        assertTrue(canonical.endsWith(",\"v\":2}"), canonical);
        assertEquals(roll, PublicRoll.of(Json.read(Json.text(roll), JsonNode.class)));
        PublicRoll plain = new PublicRoll(PublicRoll.VERSION, "AbCdEfGhIjKlMn_-", "r", "Ada", "1d20", terms, 0, 17,
                null, null, false, 1L, null, null, null);
        assertFalse(new String(plain.canonical(), StandardCharsets.UTF_8).contains("label"));
        assertThrows(IllegalArgumentException.class, () -> new PublicRoll(1, "AbCdEfGhIjKlMn_-", "r", "n", "d6",
                List.of(), 0, 1, null, null, false, 1, null, "Stealth", null), "version 1 has no label");
        assertThrows(IllegalArgumentException.class, () -> new PublicRoll(2, "AbCdEfGhIjKlMn_-", "r", "n", "d6",
                List.of(), 0, 1, null, null, false, 1, null, null, "lucky"));
        assertThrows(IllegalArgumentException.class, () -> new PublicRoll(3, "AbCdEfGhIjKlMn_-", "r", "n", "d6",
                List.of(), 0, 1, null, null, false, 1, null, null, null));
    }
}
