package dev.runeforge.game.chat;

import java.text.Normalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;

/**
 * What the games share for words players type: a room's chat lines and a roll's label. Pure (no clock: times come
 * in from the caller's {@code Context}). Text is stored and sent as typed (NFC, outer spaces stripped); clients
 * insert it as text, never as HTML, so markup is harmless and allowed. What is refused is what would make a line
 * lie about itself or about others: control characters (a line is one line) and the invisible formatting
 * characters that reorder or hide text (bidi overrides and isolates, zero-width characters).
 */
public final class Chat {
    /** A chat line's longest text, in characters (code points). */
    public static final int MAX_LENGTH = 300;
    /** Chat lines a session keeps in its state (and so in a joining player's view); older ones are in its log. */
    public static final int KEEP = 50;
    /** Lines one player may send within {@link #WINDOW}. */
    public static final int RATE = 5;
    public static final Duration WINDOW = Duration.ofSeconds(10);

    /** A line the rules refuse: empty, too long, or with control or formatting characters. */
    public static final String INVALID_CHAT = "INVALID_CHAT";
    /** Too many lines (or rolls) too fast; the message says when to try again. */
    public static final String RATE_LIMIT = "RATE_LIMIT";

    private Chat() {
    }

    /**
     * One chat line. {@code action} is {@code <player>:<client action id>}, so a client recognises its own line;
     * {@code text} is null only in what an outsider is shown (see {@link #redacted}).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Line(String action, String player, String name, String text, long at) {
        public Line {
            Objects.requireNonNull(player);
            Objects.requireNonNull(name);
        }

        /** What someone outside the session sees of it: who spoke when, not what they said. */
        public Line redacted() {
            return new Line(action, player, name, null, at);
        }
    }

    /** {@code raw} as stored: NFC, outer white space stripped; null becomes empty. */
    public static String clean(String raw) {
        return raw == null ? "" : Normalizer.normalize(raw, Normalizer.Form.NFC).strip();
    }

    /**
     * What is wrong with {@code text} (already {@link #clean}ed) as a piece of typed text of at most {@code max}
     * characters, named {@code what} in the message ("a message", "a label"); empty when it is fine.
     */
    public static Optional<String> problem(String text, int max, String what) {
        if (text.isEmpty()) {
            return Optional.of(what + " needs some text");
        }
        if (text.codePointCount(0, text.length()) > max) {
            return Optional.of(what + " has at most " + max + " characters");
        }
        if (text.codePoints().anyMatch(Chat::hidden)) {
            return Optional.of(what + " is one line of visible text (no control or invisible formatting characters)");
        }
        return Optional.empty();
    }

    /**
     * Control characters, line and paragraph separators, lone surrogates, the bidirectional formatting characters
     * (which can make a line read backwards, "Trojan Source") and the zero-width ones that hide text. Other format
     * characters stay allowed: the zero-width joiner builds emoji and some scripts need the non-joiner.
     */
    private static boolean hidden(int c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.SURROGATE
                || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F
                || c == 0x061C || c == 0x200B || c == 0x2060 || c == 0xFEFF;
    }

    /**
     * A chat message as every game decides it: refused when its text is not fine ({@link #INVALID_CHAT}) or its
     * sender has sent {@link #RATE} lines within {@link #WINDOW} ({@link #RATE_LIMIT}, saying when to try again);
     * otherwise the game's event, made by {@code chatted} from the cleaned text.
     */
    public static <E> Decision<E> say(String raw, Map<String, List<Long>> recentChat, Context ctx,
                                      Function<String, E> chatted) {
        String text = clean(raw);
        Optional<String> bad = problem(text, MAX_LENGTH, "a message");
        if (bad.isPresent()) {
            return Decision.reject(INVALID_CHAT, bad.get());
        }
        Optional<Long> wait = wait(recentChat, ctx.actor(), ctx.now().toEpochMilli(), RATE, WINDOW);
        if (wait.isPresent()) {
            return Decision.reject(RATE_LIMIT, "at most " + RATE + " messages every " + WINDOW.toSeconds()
                    + " s; try again in " + wait.get() + " s");
        }
        return Decision.accept(chatted.apply(text));
    }

    /** {@code lines} with {@code line} added, the newest {@link #KEEP} kept. */
    public static List<Line> append(List<Line> lines, Line line) {
        List<Line> next = new ArrayList<>(lines.size() >= KEEP ? lines.subList(lines.size() - KEEP + 1, lines.size()) : lines);
        next.add(line);
        return List.copyOf(next);
    }

    /** {@code lines} without {@code player}'s: a player the host removed takes what they said with them. */
    public static List<Line> without(List<Line> lines, String player) {
        return lines.stream().filter(l -> !l.player().equals(player)).toList();
    }

    /**
     * The times of each player's recent actions once {@code player} acted at {@code at}: the actor's times older
     * than {@code window} are dropped, and so is every player whose newest time is older than that, so the map holds
     * only players who acted lately. Another player's list is kept as it is (the same list) while their newest time
     * is in the window; {@link #wait} counts only the times within it, and their own next action prunes the rest.
     * Pruning everyone's list on every action cost each action a copy of every time in the window: with the rate
     * limit lifted (the benchmarks) thousands per roll in a busy room, the game instance's largest allocation.
     */
    public static Map<String, List<Long>> recent(Map<String, List<Long>> times, String player, long at,
                                                 Duration window) {
        long since = at - window.toMillis();
        Map<String, List<Long>> recent = new HashMap<>(times.size() + 2);
        times.forEach((p, ts) -> {
            if (!p.equals(player) && !ts.isEmpty() && ts.get(ts.size() - 1) > since) {
                recent.put(p, ts);
            }
        });
        List<Long> mine = times.getOrDefault(player, List.of());
        int from = 0;
        while (from < mine.size() && mine.get(from) <= since) {
            from++; // oldest first: the expired ones lead
        }
        Long[] next = mine.subList(from, mine.size()).toArray(new Long[mine.size() - from + 1]);
        next[next.length - 1] = at;
        recent.put(player, List.of(next));
        return Map.copyOf(recent);
    }

    /**
     * How many whole seconds {@code player} must wait before acting again, when they acted {@code limit} times
     * within {@code window} before {@code now}; empty when they may act now.
     */
    public static Optional<Long> wait(Map<String, List<Long>> times, String player, long now, int limit,
                                      Duration window) {
        long since = now - window.toMillis();
        int recent = 0;
        long first = 0;
        for (Long t : times.getOrDefault(player, List.of())) {
            if (t > since && recent++ == 0) {
                first = t;
            }
        }
        if (recent < limit) {
            return Optional.empty();
        }
        return Optional.of(Math.max(1, (first - since + 999) / 1000));
    }
}
