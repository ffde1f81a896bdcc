package dev.runeforge.common.player;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DisplayNamesTest {
    /** The cases the browser client's copy of the rule is tested against too. */
    private static final JsonNode CASES;

    static {
        try (InputStream in = DisplayNamesTest.class.getResourceAsStream("/display-names.json")) {
            CASES = Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> accepted() {
        List<Arguments> all = new ArrayList<>();
        CASES.path("accepted").fields().forEachRemaining(e -> all.add(Arguments.of(e.getKey(), e.getValue().asText())));
        return all.stream();
    }

    static Stream<String> refused() {
        List<String> all = new ArrayList<>();
        CASES.path("refused").forEach(n -> all.add(n.asText()));
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void acceptsNamesPeopleHave(String raw, String expected) {
        assertEquals(expected, DisplayNames.validate(raw));
        assertTrue(DisplayNames.valid(expected));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void refusesEverythingElse(String raw) {
        assertTrue(DisplayNames.problem(raw).isPresent(), raw);
        assertThrows(IllegalArgumentException.class, () -> DisplayNames.validate(raw));
        assertFalse(DisplayNames.valid(raw));
    }

    @Test
    void theSharedCasesAreThere() {
        assertTrue(accepted().count() >= 10);
        assertTrue(refused().count() >= 10);
    }

    @Test
    void aDecomposedNameCountsAsItsComposedForm() {
        String decomposed = "Zoe\u0308" + "x".repeat(17); // 20 characters once composed
        assertEquals("Zoë" + "x".repeat(17), DisplayNames.validate(decomposed));
        assertFalse(DisplayNames.valid(decomposed), "games get normalised names; a raw one is not taken as it is");
    }

    @Test
    void theMessagesSayWhatToFix() {
        assertEquals("a name is required", DisplayNames.problem(" ").orElseThrow());
        assertEquals("a name has at most 20 characters", DisplayNames.problem("x".repeat(21)).orElseThrow());
        assertEquals("a name may hold only letters, digits, spaces, hyphens and apostrophes",
                DisplayNames.problem("Ada!").orElseThrow());
        assertEquals("a name needs at least one letter or digit", DisplayNames.problem("- '").orElseThrow());
    }

    @ParameterizedTest
    @CsvSource({"'Ada <Lovelace>', Ada Lovelace", "ada.lovelace@example.org, ada lovelace example",
            "'Jean-Luc   Picard!', Jean-Luc Picard", "'🎲🎲', Player", "'', Player",
            "Maximilian Alexander von Habsburg, Maximilian Alexander"})
    void sanitizeKeepsWhatTheRuleAllows(String raw, String expected) {
        assertEquals(expected, DisplayNames.sanitize(raw, "Player"));
    }

    @Test
    void lookAlikesAndInvisiblesAreRefusedSayingWhy() {
        assertEquals("a name's letters must come from one script (no Cyrillic or Greek letter among Latin ones)",
                DisplayNames.problem("\u0410da").orElseThrow()); // a Cyrillic A before "da"
        assertEquals("a name may not hold invisible characters", DisplayNames.problem("\u115FAda").orElseThrow());
        assertEquals("a name may not hold invisible characters", DisplayNames.problem("\u115F").orElseThrow());
        // A provider's name with an invisible filler loses it; a look-alike one falls back.
        assertEquals("Ada", DisplayNames.sanitize("Ada\u3164", "Player"));
        assertEquals("Player", DisplayNames.sanitize("\u0410da", "Player"));
    }
}
