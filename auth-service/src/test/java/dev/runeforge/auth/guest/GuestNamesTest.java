package dev.runeforge.auth.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runeforge.common.bus.RpcException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GuestNamesTest {
    @ParameterizedTest
    @CsvSource({"Ada, Ada", "'  Ada  ', Ada", "'Sir   Lancelot', Sir Lancelot", "Zoë 2, Zoë 2", "Ωμέγα, Ωμέγα",
            "abcdefghijklmnopqrst, abcdefghijklmnopqrst"})
    void acceptsAndNormalises(String raw, String expected) {
        assertEquals(expected, GuestNames.validate(raw));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "abcdefghijklmnopqrstu", "<script>", "Ada!", "a\tb", "a\nb", "Robert'); DROP",
            "\u0410da", "\u115FAda"})
    void refusesWithInvalidName(String raw) {
        RpcException e = assertThrows(RpcException.class, () -> GuestNames.validate(raw));
        assertEquals("INVALID_NAME", e.code());
    }
}
