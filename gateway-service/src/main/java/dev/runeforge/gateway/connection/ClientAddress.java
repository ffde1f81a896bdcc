package dev.runeforge.gateway.connection;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * Who a request comes from, for per-address limits. Pure: no I/O (addresses are parsed as literals, never looked up).
 *
 * <p>Without {@code http.forwarded.trust} it is the TCP peer, and {@code X-Forwarded-For} is ignored: any client can
 * write it. With it, the gateway walks the chain from the right (the peer, then the header's addresses from last to
 * first) past every trusted proxy ({@code http.forwarded.proxies}: addresses or CIDR ranges; empty = the peer
 * itself is the one trusted proxy) and takes the first address that is not one: a proxy appends the address it saw,
 * so everything left of that was written by the client and proves nothing. (The left-most address, which the gateway
 * used to take, let 30 of 30 spoofed sign-ins through.)
 *
 * <p>The result is a limit key: IPv4 as it is, IPv6 grouped by its /64 (one subscriber usually holds a whole /64,
 * so counting per exact IPv6 address would give one client 2^64 budgets).
 */
public final class ClientAddress {
    private static final HeaderName X_FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");

    private final boolean trust;
    private final List<Cidr> proxies;

    /**
     * @param trust   {@code http.forwarded.trust}
     * @param proxies {@code http.forwarded.proxies}: addresses or CIDR ranges of this deployment's proxies
     */
    public ClientAddress(boolean trust, List<String> proxies) {
        this.trust = trust;
        this.proxies = proxies.stream().map(Cidr::parse).toList();
    }

    /** No proxy: the TCP peer is the client. */
    public static ClientAddress direct() {
        return new ClientAddress(false, List.of());
    }

    /** The limit key of the client behind {@code peerHost}. */
    public String of(Headers headers, String peerHost) {
        return group(client(headers.first(X_FORWARDED_FOR), peerHost));
    }

    /** The client's address (not grouped): the right-most address of the chain that is not a trusted proxy. */
    String client(Optional<String> forwardedFor, String peerHost) {
        if (!trust || !trusted(peerHost, true)) {
            return peerHost;
        }
        List<String> chain = new ArrayList<>();
        forwardedFor.ifPresent(v -> {
            for (String part : v.split(",")) {
                chain.add(part.trim());
            }
        });
        String candidate = peerHost;
        for (int i = chain.size() - 1; i >= 0; i--) {
            String hop = strip(chain.get(i));
            if (parse(hop).isEmpty()) {
                return candidate; // garbage from the client: the last address we could vouch for is the client
            }
            candidate = hop;
            if (!trusted(hop, false)) {
                return hop;
            }
        }
        return candidate; // every hop a proxy: the left-most one is the closest we know
    }

    /** Whether {@code host} is one of the deployment's proxies; with none configured, only the peer is. */
    private boolean trusted(String host, boolean isPeer) {
        if (proxies.isEmpty()) {
            return isPeer;
        }
        Optional<InetAddress> a = parse(host);
        return a.isPresent() && proxies.stream().anyMatch(c -> c.contains(a.get()));
    }

    /** IPv4 as it is, IPv6 as its /64 ({@code 2001:db8:0:1::/64}); anything unparsable as it is. */
    public static String group(String address) {
        Optional<InetAddress> parsed = parse(address);
        if (parsed.isEmpty() || parsed.get() instanceof Inet4Address) {
            return parsed.map(InetAddress::getHostAddress).orElse(address);
        }
        byte[] b = parsed.get().getAddress();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            s.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
        }
        return s.append(":/64").toString();
    }

    /** A literal IPv4 or IPv6 address ({@code [v6]}, a v6 zone and a port on v4 are dropped); never a DNS look-up. */
    static Optional<InetAddress> parse(String host) {
        String h = strip(host);
        if (h.isEmpty()) {
            return Optional.empty();
        }
        boolean v6 = h.indexOf(':') >= 0;
        if (!v6 && !h.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return Optional.empty(); // a name: getByName would look it up
        }
        if (v6 && !h.matches("[0-9A-Fa-f:.]+")) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(h));
        } catch (UnknownHostException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String strip(String host) {
        String h = host.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end > 0 ? h.substring(1, end) : h.substring(1);
        } else if (h.indexOf(':') > 0 && h.indexOf(':') == h.lastIndexOf(':') && h.indexOf('.') > 0) {
            h = h.substring(0, h.indexOf(':')); // 203.0.113.7:4711
        }
        int zone = h.indexOf('%');
        return (zone >= 0 ? h.substring(0, zone) : h).toLowerCase(Locale.ROOT);
    }

    /** An address range, {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is its own range. */
    record Cidr(byte[] network, int bits) {
        static Cidr parse(String spec) {
            String s = spec.trim();
            int slash = s.indexOf('/');
            String host = slash < 0 ? s : s.substring(0, slash);
            InetAddress a = ClientAddress.parse(host).orElseThrow(
                    () -> new IllegalArgumentException("http.forwarded.proxies: not an address or CIDR range: " + spec));
            int max = a.getAddress().length * 8;
            int bits;
            try {
                bits = slash < 0 ? max : Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("http.forwarded.proxies: bad prefix length in " + spec);
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("http.forwarded.proxies: bad prefix length in " + spec);
            }
            return new Cidr(a.getAddress(), bits);
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }
}
