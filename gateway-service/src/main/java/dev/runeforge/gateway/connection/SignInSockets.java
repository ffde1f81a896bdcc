package dev.runeforge.gateway.connection;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The live sockets of each sign-in ({@code sid}), so that a logout closes them all at once. Thread-safe.
 */
public final class SignInSockets {
    private final Map<String, Set<Runnable>> live = new ConcurrentHashMap<>();
    private volatile Predicate<String> revoked = signIn -> false;

    /** Where revocations are known (set once by Main): a socket that opens after its sign-in was revoked is closed. */
    public void revokedBy(Predicate<String> revoked) {
        this.revoked = revoked;
    }

    /** Registers a socket's way to close itself; runs it at once when the sign-in is already revoked. */
    void add(String signIn, Runnable signedOut) {
        live.computeIfAbsent(signIn, k -> ConcurrentHashMap.newKeySet()).add(signedOut);
        if (revoked.test(signIn)) {
            revoked(signIn);
        }
    }

    void remove(String signIn, Runnable signedOut) {
        live.computeIfPresent(signIn, (k, sockets) -> {
            sockets.remove(signedOut);
            return sockets.isEmpty() ? null : sockets;
        });
    }

    /** A sign-in was revoked: every socket of it closes. */
    public void revoked(String signIn) {
        Set<Runnable> sockets = live.remove(signIn);
        if (sockets != null) {
            sockets.forEach(Runnable::run);
        }
    }
}
