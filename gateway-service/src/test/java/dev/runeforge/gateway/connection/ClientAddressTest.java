package dev.runeforge.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ClientAddressTest {
    @Test
    void withoutTrustTheHeaderIsIgnored() {
        ClientAddress direct = ClientAddress.direct();
        assertEquals("198.51.100.9", direct.client(Optional.of("203.0.113.1"), "198.51.100.9"));
    }

    @Test
    void behindOneProxyTheRightMostAddressIsTheClientAndTheLeftMostIsNeverBelieved() {
        ClientAddress oneProxy = new ClientAddress(true, List.of());
        // The client wrote "1.2.3.4"; the proxy (the peer) appended the address it saw.
        assertEquals("203.0.113.7", oneProxy.client(Optional.of("1.2.3.4, 203.0.113.7"), "10.0.0.2"));
        assertEquals("203.0.113.7", oneProxy.client(Optional.of("203.0.113.7"), "10.0.0.2"));
        assertEquals("10.0.0.2", oneProxy.client(Optional.empty(), "10.0.0.2"));
    }

    @Test
    void trustedProxiesAreSkippedFromTheRight() {
        ClientAddress chain = new ClientAddress(true, List.of("10.0.0.0/8", "fd00::/8"));
        assertEquals("203.0.113.7", chain.client(Optional.of("6.6.6.6, 203.0.113.7, 10.1.2.3"), "10.0.0.2"));
        assertEquals("2001:db8:0:0:0:0:0:5", ClientAddress.parse(
                chain.client(Optional.of("2001:db8::5, fd00::1"), "10.0.0.2")).orElseThrow().getHostAddress());
        // A peer that is not one of our proxies is the client, whatever its header says.
        assertEquals("198.51.100.9", chain.client(Optional.of("6.6.6.6"), "198.51.100.9"));
        // Garbage in the header: the last address we could vouch for.
        assertEquals("10.1.2.3", chain.client(Optional.of("evil.example, 10.1.2.3"), "10.0.0.2"));
    }

    @Test
    void ipv6IsCountedPerSlash64AndIpv4PerAddress() {
        assertEquals("2001:db8:1:2::/64", ClientAddress.group("2001:db8:1:2:aaaa::1"));
        assertEquals("2001:db8:1:2::/64", ClientAddress.group("[2001:db8:1:2:bbbb::9]"));
        assertEquals("203.0.113.7", ClientAddress.group("203.0.113.7"));
        assertEquals("203.0.113.7", ClientAddress.group("203.0.113.7:4711"));
    }

    @Test
    void aBadProxyRangeIsRefusedAtStart() {
        assertThrows(IllegalArgumentException.class, () -> new ClientAddress(true, List.of("proxy.example")));
        assertThrows(IllegalArgumentException.class, () -> new ClientAddress(true, List.of("10.0.0.0/33")));
    }
}
