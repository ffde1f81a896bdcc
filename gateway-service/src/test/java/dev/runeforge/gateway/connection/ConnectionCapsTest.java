package dev.runeforge.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConnectionCapsTest {
    @Test
    void aPlayerAndAnAddressHoldNoMoreThanTheirCapsAndGetThemBackOnClose() {
        ConnectionCaps caps = new ConnectionCaps(2, 3);
        assertTrue(caps.open("ada", "a1"));
        assertTrue(caps.open("ada", "a1"));
        assertFalse(caps.open("ada", "a2"), "a third socket for one player");
        assertTrue(caps.open("bob", "a1"));
        assertFalse(caps.open("cy", "a1"), "a fourth socket from one address");
        caps.closed("ada", "a1");
        assertTrue(caps.open("ada", "a1"));
    }
}
