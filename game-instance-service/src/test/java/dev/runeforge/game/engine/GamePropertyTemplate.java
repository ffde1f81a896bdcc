package dev.runeforge.game.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.Commit;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

/**
 * The engine's invariants for any {@link GameRules}, checked on random action scripts: copy-and-fill for a new game
 * (docs/games.md, Tests). A subclass says how to set a session up ({@link #createSettings}), what a plausible move
 * is ({@link #move}), which words its commands use ({@link #commandTypes}, {@link #fieldNames}) and, above all,
 * what is hidden from whom ({@link #secrets}); this class does the rest.
 *
 * <p>Each script is made from a seed (so a failure is reproduced by that seed alone: {@code -Drf.property.seed=N})
 * by playing a session through the engine's pure core ({@link SessionStep#decide}, {@link SessionStep#apply}) as the
 * handler does: creates, joins, leaves, ends, timers when due, presence, resumes, the game's own moves, redelivered
 * actions and random bodies. After every step:
 * <ul>
 *   <li>decide and apply never throw: bad input gets a typed refusal ({@code CODE} and a message) that changes
 *       nothing, and a closed session commits nothing more;</li>
 *   <li>seq: a commit starts right after the session's last seq, every event of it reaches every member exactly once
 *       (the shared subject or one message each) under consecutive seqs, and a redelivered action is a duplicate;</li>
 *   <li>every event survives its JSON form (what is stored is what is folded);</li>
 *   <li>no viewer gets a secret it may not know: in each event as sent (shared or per member), in the view of every
 *       member, of {@link Viewer#PUBLIC} and {@link Viewer#OUTSIDER}, in replies (history), and in each event as a
 *       replay shows it to an outsider;</li>
 *   <li>the game's own invariants ({@link #checkState}).</li>
 * </ul>
 * At the end of each script: rebuilding the session from its commits ({@link LiveSession#fold}) gives the same
 * state, twice, and the state survives a JSON round trip (snapshots); the tallies of the live commits equal those of
 * the replayed log, are positive and only name players. A failing script is shrunk (whole steps removed while it
 * still fails) and printed. Separately, the game's settings: every {@link #createSettings} body is read into the
 * same record each time, and odd settings (other shapes, fields of other types) are read or refused with a typed
 * code, never thrown on.
 */
public abstract class GamePropertyTemplate<S, C, E> {
    /** Who acts in scripts: the first creates the session. */
    protected static final List<String> PEOPLE = List.of("g-host", "g-bob", "g-carol");
    private static final Instant START = Instant.parse("2026-12-01T12:00:00Z");
    private static final String SESSION = "s-prop";
    private static final String CODE = "PROP-0001";

    protected abstract GameRules<S, C, E, ?> rules();

    /** The create body for a new session (the game's settings), varied by {@code rnd}. */
    protected abstract JsonNode createSettings(SplittableRandom rnd);

    /** A plausible game action in {@code state}: who sends it and its body. */
    protected abstract Move move(SplittableRandom rnd, S state);

    /** The game's command {@code type}s, and a few that are not, for random bodies. */
    protected abstract List<String> commandTypes();

    /** The fields its commands read, for random bodies. */
    protected abstract List<String> fieldNames();

    /**
     * What {@code state} hides, and from whom. The events and views made from this state are searched for each
     * secret ({@link Secret#shows}, node by node) and fail the script when a viewer who may not know it gets it.
     */
    protected abstract List<Secret> secrets(S state);

    /** The game's own invariants on a state (fail with an AssertionError). */
    protected void checkState(S state) {
    }

    /** Scripts per run (at least 200 by the template's contract). */
    protected int scripts() {
        return Integer.getInteger("rf.property.scripts", 200);
    }

    /** Steps per script. */
    protected int steps() {
        return 120;
    }

    /** Script generation counted these: a subclass may assert its generator really plays. */
    protected void played(Map<String, Integer> counts) {
    }

    /** A game action: {@code actor} sends {@code body}. */
    public record Move(String actor, JsonNode body) {
    }

    /**
     * A hidden fact: {@code shows} tells whether one JSON node (any object, array or value in what a viewer gets)
     * gives it away; {@code mayKnow} who may see it.
     */
    public record Secret(String what, Predicate<Viewer> mayKnow, Predicate<JsonNode> shows) {
    }

    /** One step of a script: an action as the gateway (or the timer) would publish it, at {@code at}. */
    public record Step(BusAction.Kind kind, String actor, String id, JsonNode body, long at, long rngSeed,
                       String connection, String device) {
        BusAction action(String game) {
            return new BusAction(id, kind, SESSION, actor, name(actor), kind == BusAction.Kind.CREATE ? game : null,
                    body, connection, at, device);
        }

        @Override
        public String toString() {
            return kind + " " + actor + " " + id + " " + body + " at +" + (at - START.toEpochMilli()) + " ms"
                    + (connection == null ? "" : " conn " + connection) + (device == null ? "" : " device " + device);
        }
    }

    private static String name(String actor) {
        return actor.equals(BusAction.SYSTEM) ? "system" : Character.toUpperCase(actor.charAt(2)) + actor.substring(3);
    }

    @Test
    void randomScriptsKeepTheEngineInvariants() {
        Integer only = Integer.getInteger("rf.property.seed");
        long from = only == null ? 0 : only;
        long to = only == null ? scripts() : only + 1;
        assertTrue(only != null || scripts() >= 200, "the template runs at least 200 scripts per game");
        Map<String, Integer> counts = new HashMap<>();
        for (long seed = from; seed < to; seed++) {
            List<Step> script = generate(seed, counts);
            Optional<String> failure = check(script);
            if (failure.isPresent()) {
                List<Step> small = shrink(script);
                throw new AssertionError(getClass().getSimpleName() + " seed " + seed + " (-Drf.property.seed=" + seed
                        + "): " + check(small).orElse(failure.get()) + "\nshrunk from " + script.size() + " to "
                        + small.size() + " steps:\n" + render(small));
            }
        }
        played(counts);
    }

    /**
     * The creator's settings are read once into the game's record ({@link GameRules#settings}): every body
     * {@link #createSettings} makes is read, the same record each time, and any other JSON (other shapes, a field
     * of a wrong type, out of range) is either read or refused with a typed code and a message, never a throw.
     */
    @Test
    void settingsAreReadIntoTheGamesRecordOrRefusedWithACode() {
        checkSettings().ifPresent(failure -> {
            throw new AssertionError(getClass().getSimpleName() + ": " + failure);
        });
    }

    /** How the game's {@link GameRules#settings} breaks its contract, if it does (the test above). */
    public Optional<String> checkSettings() {
        GameRules<S, C, E, ?> rules = rules();
        SplittableRandom rnd = new SplittableRandom(Long.getLong("rf.property.seed", 0));
        try {
            for (int i = 0; i < scripts(); i++) {
                JsonNode chosen = createSettings(rnd);
                Object read = readSettings(rules, chosen);
                require(read != null, "createSettings made " + chosen + ", which the game refused");
                require(read.equals(readSettings(rules, chosen.deepCopy())), chosen + " read twice gave two records");
                readSettings(rules, oddSettings(rnd, chosen));
            }
            return Optional.empty();
        } catch (AssertionError e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The record {@code json} is read into, or null when the game refused it with a code and a message. */
    private static Object readSettings(GameRules<?, ?, ?, ?> rules, JsonNode json) {
        try {
            return rules.settings(json);
        } catch (GameRules.InvalidSettings e) {
            require(!e.code().isBlank() && !e.getMessage().isBlank(), json + " refused without a code or a message");
            return null;
        } catch (RuntimeException e) {
            throw new AssertionError("reading the settings " + json + " threw " + e, e);
        }
    }

    /** Settings a client might send instead: another shape, or {@code chosen} with one field of another type. */
    private static JsonNode oddSettings(SplittableRandom rnd, JsonNode chosen) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        List<String> fields = new ArrayList<>();
        chosen.fieldNames().forEachRemaining(fields::add);
        if (fields.isEmpty() || rnd.nextInt(4) == 0) {
            List<JsonNode> shapes = List.of(f.nullNode(), f.textNode("x"), f.numberNode(7), f.arrayNode().add(1),
                    f.objectNode(), f.booleanNode(true));
            return rnd.nextInt(7) == 0 ? null : shapes.get(rnd.nextInt(shapes.size()));
        }
        ObjectNode odd = chosen.deepCopy();
        String field = fields.get(rnd.nextInt(fields.size()));
        switch (rnd.nextInt(7)) {
            case 0 -> odd.put(field, rnd.nextInt(-5, 5000));
            case 1 -> odd.put(field, "x".repeat(rnd.nextInt(0, 40)));
            case 2 -> odd.putNull(field);
            case 3 -> odd.put(field, rnd.nextDouble() * 100);
            case 4 -> odd.put(field, rnd.nextBoolean());
            case 5 -> odd.set(field, f.arrayNode().add(1).add("x"));
            default -> odd.set(field, f.objectNode().put("x", 1));
        }
        return odd;
    }

    public static String render(List<Step> script) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < script.size(); i++) {
            b.append("  ").append(i).append(": ").append(script.get(i)).append('\n');
        }
        return b.toString();
    }

    // --- generating a script: play a session, recording each action ---

    /** The script seed {@code seed} makes, played against the live state so most actions make sense. */
    public List<Step> generate(long seed, Map<String, Integer> counts) {
        SplittableRandom rnd = new SplittableRandom(seed);
        GameRules<S, C, E, ?> rules = rules();
        LiveSession<S, C, E> session = LiveSession.empty(rules, SESSION, CODE);
        List<Step> script = new ArrayList<>();
        long now = START.toEpochMilli();
        int ids = 0;
        String host = PEOPLE.getFirst();
        Step create = new Step(BusAction.Kind.CREATE, host, "a" + ids++, createSettings(rnd), now, rnd.nextLong(),
                "conn-h", "dev-" + host);
        script.add(create);
        session = play(session, create);
        for (int i = 0; i < steps(); i++) {
            now += rnd.nextInt(1, 20_000);
            String anyone = PEOPLE.get(rnd.nextInt(PEOPLE.size()));
            int pick = rnd.nextInt(100);
            Step step;
            if (pick < 8) {
                step = new Step(BusAction.Kind.JOIN, anyone, "a" + ids++, null, now, rnd.nextLong(),
                        "conn-" + anyone + rnd.nextInt(2), "dev-" + anyone);
            } else if (pick < 10) {
                step = new Step(BusAction.Kind.LEAVE, anyone, "a" + ids++, null, now, rnd.nextLong(), null, null);
            } else if (pick < 11) {
                if (rnd.nextInt(8) > 0) {
                    continue; // ending is rare: most scripts should play on
                }
                step = new Step(BusAction.Kind.END, anyone, "a" + ids++, null, now, rnd.nextLong(), null, null);
            } else if (pick < 16) {
                Optional<Instant> due = rules.deadline(session.state());
                if (due.isEmpty() || (due.get().toEpochMilli() > now && rnd.nextInt(10) > 0)) {
                    continue; // a timer fires when due; now and then the clock jumps to the next deadline
                }
                now = Math.max(now, due.get().toEpochMilli() + rnd.nextInt(0, 3));
                step = new Step(BusAction.Kind.TIMER, BusAction.SYSTEM, "t" + ids++, null, now, rnd.nextLong(), null,
                        null);
            } else if (pick < 22) {
                ObjectNode body = JsonNodeFactory.instance.objectNode().put("connected", rnd.nextBoolean());
                step = new Step(BusAction.Kind.PRESENCE, anyone, "p" + ids++, body, now, rnd.nextLong(),
                        "conn-" + anyone + rnd.nextInt(2), null);
            } else if (pick < 23) {
                step = new Step(BusAction.Kind.RESUME, anyone, "a" + ids++, null, now, rnd.nextLong(), null, null);
            } else if (pick < 26 && script.size() > 1) {
                Step old = script.get(rnd.nextInt(script.size())); // a redelivery: same id, same body
                step = new Step(old.kind(), old.actor(), old.id(), old.body(), now, rnd.nextLong(), old.connection(),
                        old.device());
            } else if (pick < 36) {
                step = new Step(BusAction.Kind.GAME, anyone, "a" + ids++, garbage(rnd, session.state()), now,
                        rnd.nextLong(), null, null);
            } else {
                Move m = move(rnd, session.state());
                step = new Step(BusAction.Kind.GAME, m.actor(), "a" + ids++, m.body(), now, rnd.nextLong(), null, null);
            }
            script.add(step);
            session = play(session, step);
        }
        // What happened, for the subclass to check its generator plays (not just refusals).
        for (Step s : script) {
            counts.merge(s.kind().name(), 1, Integer::sum);
        }
        LiveSession<S, C, E> replay = LiveSession.empty(rules, SESSION, CODE);
        for (Step s : script) {
            SessionStep.Outcome o = decideQuietly(replay, s);
            if (o instanceof SessionStep.Outcome.Committed c) {
                for (JsonNode e : c.commit().events()) {
                    counts.merge("event:" + e.path("type").asText(), 1, Integer::sum);
                }
                replay = SessionStep.apply(replay, c.commit(), 0).after();
            }
        }
        return script;
    }

    private LiveSession<S, C, E> play(LiveSession<S, C, E> session, Step step) {
        SessionStep.Outcome o = decideQuietly(session, step);
        return o instanceof SessionStep.Outcome.Committed c ? SessionStep.apply(session, c.commit(), 0).after() : session;
    }

    private SessionStep.Outcome decideQuietly(LiveSession<S, C, E> session, Step step) {
        try {
            return SessionStep.decide(session, step.action(rules().id()), Instant.ofEpochMilli(step.at()),
                    new SplittableRandom(step.rngSeed()));
        } catch (RuntimeException e) {
            return new SessionStep.Outcome.Unchanged(); // check() reports it; generation goes on
        }
    }

    /** A body a client might send: a known or unknown type, with fields of any shape. */
    private JsonNode garbage(SplittableRandom rnd, S state) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        List<String> types = new ArrayList<>(commandTypes());
        types.addAll(List.of("", "dance", "TYPE"));
        if (rnd.nextInt(10) > 0) {
            body.put("type", types.get(rnd.nextInt(types.size())));
        }
        List<String> members = List.copyOf(rules().members(state));
        for (String field : fieldNames()) {
            switch (rnd.nextInt(9)) {
                case 0 -> body.put(field, rnd.nextInt(-5, 40));
                case 1 -> body.put(field, members.isEmpty() ? "g-bob" : members.get(rnd.nextInt(members.size())));
                case 2 -> body.putNull(field);
                case 3 -> body.put(field, rnd.nextDouble() * 100);
                case 4 -> body.put(field, rnd.nextBoolean());
                case 5 -> body.set(field, JsonNodeFactory.instance.arrayNode().add(1).add("x"));
                case 6 -> body.set(field, JsonNodeFactory.instance.objectNode().put("x", 1));
                case 7 -> body.put(field, "x".repeat(rnd.nextInt(0, 300)));
                default -> {
                }
            }
        }
        return body;
    }

    // --- checking a script ---

    /** Runs {@code script} through the engine; the first invariant it breaks, if any. */
    public Optional<String> check(List<Step> script) {
        try {
            run(script);
            return Optional.empty();
        } catch (AssertionError e) {
            return Optional.of(e.getMessage());
        } catch (RuntimeException e) {
            return Optional.of("threw " + e);
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private void run(List<Step> script) {
        GameRules<S, C, E, ?> rules = rules();
        LiveSession<S, C, E> session = LiveSession.empty(rules, SESSION, CODE);
        List<Commit> log = new ArrayList<>();
        Map<String, Long> liveTallies = new LinkedHashMap<>();
        Set<String> actors = new HashSet<>();
        for (int i = 0; i < script.size(); i++) {
            Step step = script.get(i);
            String at = "step " + i + " (" + step + "): ";
            actors.add(step.actor());
            BusAction action = step.action(rules.id());
            SessionStep.Outcome outcome;
            try {
                outcome = SessionStep.decide(session, action, Instant.ofEpochMilli(step.at()),
                        new SplittableRandom(step.rngSeed()));
            } catch (RuntimeException e) {
                throw new AssertionError(at + "decide threw " + e, e);
            }
            boolean wasClosed = session.created() && rules.closed(session.state());
            switch (outcome) {
                case SessionStep.Outcome.Rejected r -> require(r.code().matches("[A-Z][A-Z0-9_]*")
                        && r.message() != null && !r.message().isBlank(), at + "an untyped refusal " + r);
                case SessionStep.Outcome.Replied r -> noLeak(secrets(session.state()), Viewer.of(step.actor()),
                        r.body(), at + "reply to " + step.actor());
                case SessionStep.Outcome.Duplicate d -> require(session.applied().contains(action.key()),
                        at + "a duplicate of an action never applied");
                case SessionStep.Outcome.Unchanged u -> {
                }
                case SessionStep.Outcome.Committed c -> {
                    require(!wasClosed || step.kind() == BusAction.Kind.PRESENCE,
                            at + "a closed session committed " + c.commit().events());
                    session = commit(session, c.commit(), at, liveTallies);
                    log.add(c.commit());
                    SessionStep.Outcome again = SessionStep.decide(session, action, Instant.ofEpochMilli(step.at()),
                            new SplittableRandom(step.rngSeed()));
                    require(again instanceof SessionStep.Outcome.Duplicate,
                            at + "a redelivered action was not recognised: " + again);
                }
            }
            if (session.created()) {
                S state = session.state();
                List<Secret> secrets = secrets(state);
                List<Viewer> viewers = new ArrayList<>(List.of(Viewer.PUBLIC, Viewer.OUTSIDER));
                for (String p : PEOPLE) {
                    viewers.add(Viewer.of(p)); // non-members too: a view is what a joining player gets
                }
                for (Viewer v : viewers) {
                    noLeak(secrets, v, Json.tree(rules.view(state, v)), at + "view for " + who(v));
                }
                checkState(state);
            }
        }
        // Determinism: the log folded from nothing (as a new owner does) gives the same state, every time.
        LiveSession<S, C, E> rebuilt = rebuild(rules, log);
        require(rebuilt.state().equals(session.state()), "rebuilt from the log, the state differs:\n live    "
                + Json.tree(session.state()) + "\n rebuilt " + Json.tree(rebuilt.state()));
        require(Json.tree(rebuild(rules, log).state()).equals(Json.tree(rebuilt.state())), "two rebuilds differ");
        require(rebuilt.seq() == session.seq(), "rebuilt seq " + rebuilt.seq() + " != " + session.seq());
        S back = Json.convert(Json.tree(session.state()), rules.stateType());
        require(back.equals(session.state()), "the state does not survive its JSON (snapshot) form");
        // Tallies: the replayed log adds up to what the live commits added.
        Map<String, Long> replayed = new LinkedHashMap<>();
        S state = rules.initial();
        for (Commit c : log) {
            for (JsonNode json : c.events()) {
                E e = Json.convert(json, rules.eventType());
                state = rules.apply(state, e);
                add(replayed, rules.tally(state, e), actors, "replayed tally");
            }
        }
        require(replayed.equals(liveTallies), "tallies: live " + liveTallies + ", replayed " + replayed);
    }

    private static <S, C, E> LiveSession<S, C, E> rebuild(GameRules<S, C, E, ?> rules, List<Commit> log) {
        LiveSession<S, C, E> s = LiveSession.empty(rules, SESSION, CODE);
        for (Commit c : log) {
            s = s.fold(c, 0);
        }
        return s;
    }

    private LiveSession<S, C, E> commit(LiveSession<S, C, E> before, Commit commit, String at,
                                        Map<String, Long> tallies) {
        GameRules<S, C, E, ?> rules = rules();
        require(commit.firstSeq() == before.seq() + 1, at + "commit starts at " + commit.firstSeq() + " after seq "
                + before.seq());
        require(!commit.events().isEmpty(), at + "a commit without events");
        SessionStep.Applied<S, C, E> applied;
        try {
            applied = SessionStep.apply(before, commit, 0);
        } catch (RuntimeException e) {
            throw new AssertionError(at + "apply threw " + e, e);
        }
        require(applied.after().seq() == commit.firstSeq() + commit.events().size() - 1, at + "seq after the commit");
        // Each event, folded one at a time: the state it is projected with, its secrets, who should get it.
        Map<Long, List<SessionStep.Outbound>> bySeq = new LinkedHashMap<>();
        for (SessionStep.Outbound o : applied.outbound()) {
            if (o.message() instanceof ServerMessage.Event ev) {
                bySeq.computeIfAbsent(ev.seq(), k -> new ArrayList<>()).add(o);
            }
        }
        S state = before.state();
        long seq = commit.firstSeq();
        for (JsonNode stored : commit.events()) {
            E event = Json.convert(stored, rules.eventType());
            if (!Json.tree(event).equals(stored)) {
                throw new AssertionError(at + "event does not survive its JSON form: " + stored);
            }
            state = rules.apply(state, event);
            List<Secret> secrets = secrets(state);
            List<SessionStep.Outbound> sent = bySeq.getOrDefault(seq, List.of());
            Set<String> members = new HashSet<>(rules.members(state));
            if (sent.size() == 1 && sent.getFirst().player() == null) {
                JsonNode body = ((ServerMessage.Event) sent.getFirst().message()).body();
                noLeak(secrets, Viewer.PUBLIC, body, at + "seq " + seq + " on the shared subject");
                for (String m : members) {
                    noLeak(secrets, Viewer.of(m), body, at + "seq " + seq + " on the shared subject, read by " + m);
                }
            } else {
                Set<String> got = new HashSet<>();
                for (SessionStep.Outbound o : sent) {
                    require(o.player() != null && got.add(o.player()), at + "seq " + seq + " sent twice or shared"
                            + " beside per-member copies");
                    noLeak(secrets, Viewer.of(o.player()), ((ServerMessage.Event) o.message()).body(),
                            at + "seq " + seq + " to " + o.player());
                }
                require(got.equals(members), at + "seq " + seq + " reached " + got + ", members are " + members);
            }
            // A replay shows each event to someone outside the session as project(..., OUTSIDER).
            noLeak(secrets, Viewer.OUTSIDER, Json.tree(rules.project(state, event, Viewer.OUTSIDER)),
                    at + "seq " + seq + " in a replay");
            add(tallies, applied.tallies().getOrDefault(seq, Map.of()), null, at + "tally");
            seq++;
        }
        require(bySeq.keySet().stream().allMatch(s -> s >= commit.firstSeq() && s <= commit.lastSeq()),
                at + "messages for seqs outside the commit: " + bySeq.keySet());
        require(state.equals(applied.after().state()), at + "the engine's state differs from the events folded");
        return applied.after();
    }

    private static void add(Map<String, Long> into, Map<String, Map<String, Long>> tally, Set<String> players,
                            String what) {
        tally.forEach((player, counters) -> {
            require(players == null || players.contains(player), what + " names " + player + ", who never acted");
            counters.forEach((counter, n) -> {
                require(n != null && n > 0, what + ": " + player + " " + counter + " " + n);
                into.merge(player + "/" + counter, n, Long::sum);
            });
        });
    }

    private static String who(Viewer v) {
        return v.outsider() ? "an outsider" : v.player() == null ? "the shared subject" : v.player();
    }

    /** Fails when a node of {@code seen} gives away a secret {@code viewer} may not know. */
    private static void noLeak(List<Secret> secrets, Viewer viewer, JsonNode seen, String where) {
        List<Secret> hidden = secrets.stream().filter(s -> !s.mayKnow().test(viewer)).toList();
        if (hidden.isEmpty()) {
            return;
        }
        walk(seen, node -> {
            for (Secret s : hidden) {
                if (s.shows().test(node)) {
                    throw new AssertionError(where + " leaks " + s.what() + " to " + who(viewer) + ": " + seen);
                }
            }
        });
    }

    private static void walk(JsonNode node, java.util.function.Consumer<JsonNode> visit) {
        visit.accept(node);
        if (node instanceof ObjectNode o) {
            for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
                walk(it.next(), visit);
            }
        } else if (node instanceof ArrayNode a) {
            a.forEach(child -> walk(child, visit));
        }
    }

    // --- shrinking ---

    /**
     * A shorter script that still fails: chunks of steps removed, halves first, then single steps, as long as what
     * is left fails (any invariant: the point is a short script to read).
     */
    public List<Step> shrink(List<Step> failing) {
        List<Step> best = failing;
        int chunk = Math.max(1, best.size() / 2);
        while (true) {
            boolean removed = false;
            for (int from = 0; from < best.size(); ) {
                List<Step> trial = new ArrayList<>(best.subList(0, from));
                trial.addAll(best.subList(Math.min(best.size(), from + chunk), best.size()));
                if (!trial.isEmpty() && check(trial).isPresent()) {
                    best = trial;
                    removed = true;
                } else {
                    from += chunk;
                }
            }
            if (chunk == 1 && !removed) {
                return best;
            }
            chunk = Math.max(1, chunk / 2);
        }
    }
}
