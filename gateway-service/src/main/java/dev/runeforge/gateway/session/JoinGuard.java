package dev.runeforge.gateway.session;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Room-code guessing, limited: every join by a code that finds no room is a miss, counted against the player and
 * against the client address (an IPv6 /64). Each has {@code misses} free misses, then earns one more every
 * {@code refill}; while either has none left, joins by code are refused before the directory is read, with the
 * time until the next miss is allowed. A join that finds its room costs nothing, so a player who mistypes a code
 * twice loses nothing they would notice. Pure (times come in as nanoTime values) and thread-safe; bounded: past
 * {@code maxKeys} it forgets the counters that have refilled, which are the same as new ones.
 *
 * <p>The arithmetic (docs/security.md, Rooms): codes {@code WORD-WORD-####} from 86 words are 86 x 86 x 10^4 =
 * 73,960,000; at the default 10 misses and then one a minute, one address guesses at most 1,450 codes a day, which
 * finds one of 1,000 live rooms with probability 1,450 x 1,000 / 73,960,000, about 2 %.
 */
public final class JoinGuard {
    private final int misses;
    private final long refillNanos;
    private final int maxKeys;
    private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

    /** One key's misses: how many are left as of {@code at}. */
    private static final class Budget {
        double left;
        long at;

        Budget(double left, long at) {
            this.left = left;
            this.at = at;
        }
    }

    public JoinGuard(int misses, java.time.Duration refill, int maxKeys) {
        if (misses < 1 || refill.isNegative() || refill.isZero()) {
            throw new IllegalArgumentException("a join guard needs at least one miss and a positive refill");
        }
        this.misses = misses;
        this.refillNanos = refill.toNanos();
        this.maxKeys = maxKeys;
    }

    /**
     * Nanoseconds until this player at this address may try a code again; 0 when they may now.
     */
    public long waitNanos(String player, String address, long now) {
        return Math.max(wait("p:" + player, now), wait("a:" + address, now));
    }

    /** A join by code found no room: one miss off the player's and the address's budget. */
    public void missed(String player, String address, long now) {
        take("p:" + player, now);
        take("a:" + address, now);
    }

    private long wait(String key, long now) {
        Budget b = budgets.get(key);
        if (b == null) {
            return 0;
        }
        synchronized (b) {
            refill(b, now);
            return b.left >= 1 ? 0 : (long) Math.ceil((1 - b.left) * refillNanos);
        }
    }

    private void take(String key, long now) {
        if (budgets.size() >= maxKeys) {
            forgetFull(now);
        }
        Budget b = budgets.computeIfAbsent(key, k -> new Budget(misses, now));
        synchronized (b) {
            refill(b, now);
            b.left = Math.max(0, b.left - 1);
        }
    }

    private void refill(Budget b, long now) {
        b.left = Math.min(misses, b.left + (double) Math.max(0, now - b.at) / refillNanos);
        b.at = Math.max(b.at, now);
    }

    private void forgetFull(long now) {
        for (Iterator<Budget> it = budgets.values().iterator(); it.hasNext(); ) {
            Budget b = it.next();
            synchronized (b) {
                refill(b, now);
                if (b.left >= misses) {
                    it.remove();
                }
            }
        }
    }
}
