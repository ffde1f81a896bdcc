package dev.runeforge.game.dice;

import dev.runeforge.game.notation.DiceFormula;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.game.dice.DiceModel.Advantage;
import dev.runeforge.game.dice.DiceModel.Command;
import dev.runeforge.game.dice.DiceModel.Event;
import dev.runeforge.game.dice.DiceModel.Mode;
import dev.runeforge.game.dice.DiceModel.Roll;
import dev.runeforge.game.dice.DiceModel.Settings;
import dev.runeforge.game.dice.DiceModel.State;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.engine.Viewer;
import org.junit.jupiter.api.Test;

/** The dice room's rules, pure: fixed clock, seeded dice. Every error code of the room has a case here. */
class DiceRulesTest {
    private static final Instant T0 = Instant.parse("2026-11-22T12:00:00Z");
    private static final String DM = "g-dm";
    private static final String BOB = "g-bob";
    private static final String CAROL = "g-carol";

    private final DiceRules rules = new DiceRules();
    private Instant now = T0;
    private int actions;

    private Context ctx(String actor, String name, String device) {
        return new Context("s1", "WOLF-0001", actor + ":a" + (++actions), actor, name, now, new SplittableRandom(actions),
                device);
    }

    private Context ctx(String actor) {
        return ctx(actor, actor.substring(2), "dev-" + actor);
    }

    private State fold(State s, Decision<Event> d) {
        Decision.Accept<Event> accept = assertInstanceOf(Decision.Accept.class, d, () -> "refused: " + d);
        for (Event e : accept.events()) {
            s = rules.apply(s, e);
        }
        return s;
    }

    private static String refusal(Decision<Event> d) {
        return assertInstanceOf(Decision.Reject.class, d, () -> "accepted: " + d).code();
    }

    private State room(Mode mode) {
        ObjectNode settings = JsonNodeFactory.instance.objectNode().put("mode", mode == Mode.DM_LED ? "dm-led" : "open");
        State s = fold(rules.initial(), rules.open(rules.initial(), settings, ctx(DM)));
        return fold(s, rules.join(s, ctx(BOB)));
    }

    private Event.Rolled roll(State s, String actor, Command.RollDice command) {
        Decision<Event> d = rules.decide(s, command, ctx(actor));
        return (Event.Rolled) ((Decision.Accept<Event>) d).events().getFirst();
    }

    private State rolled(State s, String actor, Command.RollDice command) {
        return rules.apply(s, roll(s, actor, command));
    }

    /** Bob's {@code n} rolls of 1d6, two seconds apart (under the rate limit). */
    private State d6Rolls(State s, int n) {
        for (int i = 0; i < n; i++) {
            now = now.plusSeconds(2);
            s = rolled(s, BOB, new Command.RollDice("1d6"));
        }
        return s;
    }

    private DiceModel.HistoryPage page(State s, String before, int limit) {
        return (DiceModel.HistoryPage) assertInstanceOf(Decision.Reply.class,
                rules.decide(s, new Command.History(before, limit), ctx(BOB))).body();
    }

    @Test
    void theCreatorIsAdminFirstPlayerAndInDmLedRoomsTheDm() {
        State open = room(Mode.OPEN);
        assertEquals(DM, open.creator());
        assertEquals("WOLF-0001", open.code());
        assertEquals(List.of("dm", "bob"), open.players().stream().map(DiceModel.Player::name).toList());
        assertFalse(open.isDm(DM));
        assertTrue(room(Mode.DM_LED).isDm(DM));
        assertFalse(room(Mode.DM_LED).isDm(BOB));
    }

    @Test
    void anUnknownModeIsRefused() {
        ObjectNode settings = JsonNodeFactory.instance.objectNode().put("mode", "chaos");
        assertEquals(ErrorCodes.INVALID_ACTION, refusal(rules.open(rules.initial(), settings, ctx(DM))));
    }

    @Test
    void joiningTwiceChangesNothing() {
        State s = room(Mode.OPEN);
        assertEquals(0, ((Decision.Accept<Event>) rules.join(s, ctx(BOB))).events().size());
    }

    @Test
    void aRollRecordsItsDiceTotalAndAnUnguessableId() {
        State s = room(Mode.OPEN);
        Roll roll = roll(s, BOB, new Command.RollDice("3d6+2")).roll();
        assertEquals("3d6+2", roll.formula());
        assertEquals(3, roll.terms().getFirst().dice().size());
        int sum = roll.terms().getFirst().dice().stream().mapToInt(DiceFormula.Die::value).sum();
        assertEquals(sum + 2, roll.total());
        assertTrue(roll.id().matches("[A-Za-z0-9_-]{16}"), roll.id());
        assertFalse(roll.hidden());
        assertNull(roll.dc());
        assertEquals(T0.toEpochMilli(), roll.at());
    }

    @Test
    void badNotationIsInvalidDiceFormatWithAClearMessage() {
        State s = room(Mode.OPEN);
        Decision<Event> d = rules.decide(s, new Command.RollDice("2d7"), ctx(BOB));
        assertEquals(DiceRules.INVALID_DICE_FORMAT, refusal(d));
        assertTrue(((Decision.Reject<Event>) d).message().contains("d7"));
        assertEquals(DiceRules.INVALID_DICE_FORMAT, refusal(rules.decide(s, new Command.RollDice(null), ctx(BOB))));
    }

    @Test
    void advantageRollsTwoD20AndKeepsTheHigher() {
        State s = room(Mode.OPEN);
        Roll roll = roll(s, BOB, new Command.RollDice("1d20+5", false, Advantage.ADVANTAGE)).roll();
        List<DiceFormula.Die> dice = roll.terms().getFirst().dice();
        assertEquals(2, dice.size());
        int high = Math.max(dice.get(0).value(), dice.get(1).value());
        assertEquals(high + 5, roll.total());
        assertEquals(DiceRules.INVALID_DICE_FORMAT, refusal(rules.decide(s,
                new Command.RollDice("2d6", false, Advantage.DISADVANTAGE), ctx(BOB))));
    }

    @Test
    void hiddenRollsAreForTheDmOfADmLedRoomOnly() {
        assertEquals(DiceRules.HIDDEN_NOT_ALLOWED, refusal(rules.decide(room(Mode.OPEN),
                new Command.RollDice("1d20", true, null), ctx(DM))));
        assertEquals(DiceRules.HIDDEN_NOT_ALLOWED, refusal(rules.decide(room(Mode.DM_LED),
                new Command.RollDice("1d20", true, null), ctx(BOB))));
    }

    @Test
    void hiddenRollIsNotSentToPlayersBeforeRevealAndIsAfter() {
        State s = room(Mode.DM_LED);
        Event.Rolled secret = roll(s, DM, new Command.RollDice("1d20+3", true, null));
        s = rules.apply(s, secret);

        JsonNode toBob = Json.tree(rules.project(s, secret, Viewer.of(BOB)));
        JsonNode toDm = Json.tree(rules.project(s, secret, Viewer.of(DM)));
        JsonNode toAll = Json.tree(rules.project(s, secret, Viewer.PUBLIC));
        for (JsonNode redacted : List.of(toBob, toAll)) {
            assertTrue(redacted.path("roll").path("hidden").asBoolean());
            assertTrue(redacted.path("roll").path("total").isMissingNode(), redacted.toString());
            assertTrue(redacted.path("roll").path("terms").isMissingNode(), redacted.toString());
            assertTrue(redacted.path("roll").path("formula").isMissingNode(), redacted.toString());
        }
        assertEquals(secret.roll().total(), toDm.path("roll").path("total").asInt());
        JsonNode bobsView = Json.tree(rules.view(s, Viewer.of(BOB)));
        assertTrue(bobsView.path("rolls").get(0).path("total").isMissingNode());

        Decision<Event> reveal = rules.decide(s, new Command.Reveal(secret.roll().id()), ctx(DM));
        Event.RollRevealed revealed = (Event.RollRevealed) ((Decision.Accept<Event>) reveal).events().getFirst();
        assertNull(revealed.detail(), "the stored event does not repeat the roll");
        s = rules.apply(s, revealed);
        JsonNode shown = Json.tree(rules.project(s, revealed, Viewer.of(BOB)));
        assertEquals(secret.roll().total(), shown.path("detail").path("total").asInt());
        assertEquals(secret.roll().total(), Json.tree(rules.view(s, Viewer.of(BOB))).path("rolls").get(0).path("total").asInt());
    }

    @Test
    void revealNeedsTheDmAHiddenRollAndAnExistingOne() {
        State s = room(Mode.DM_LED);
        Event.Rolled secret = roll(s, DM, new Command.RollDice("1d20", true, null));
        s = rules.apply(s, secret);
        s = rolled(s, BOB, new Command.RollDice("1d6"));
        String open = s.rolls().getLast().id();
        assertEquals(DiceRules.NOT_DM, refusal(rules.decide(s, new Command.Reveal(secret.roll().id()), ctx(BOB))));
        assertEquals(DiceRules.ROLL_NOT_FOUND, refusal(rules.decide(s, new Command.Reveal("nope"), ctx(DM))));
        assertEquals(DiceRules.ROLL_NOT_HIDDEN, refusal(rules.decide(s, new Command.Reveal(open), ctx(DM))));
        s = fold(s, rules.decide(s, new Command.Reveal(secret.roll().id()), ctx(DM)));
        assertEquals(DiceRules.ROLL_NOT_HIDDEN, refusal(rules.decide(s, new Command.Reveal(secret.roll().id()), ctx(DM))));
    }

    @Test
    void aDcChecksLaterRollsUntilCleared() {
        State s = room(Mode.DM_LED);
        assertEquals(DiceRules.NOT_DM, refusal(rules.decide(s, new Command.SetDc(10), ctx(BOB))));
        assertEquals(DiceRules.NOT_DM, refusal(rules.decide(room(Mode.OPEN), new Command.SetDc(10), ctx(DM))));
        for (Integer bad : new Integer[] {0, 31, -5, null}) {
            assertEquals(DiceRules.INVALID_DC, refusal(rules.decide(s, new Command.SetDc(bad), ctx(DM))));
        }
        s = fold(s, rules.decide(s, new Command.SetDc(12), ctx(DM)));
        assertEquals(12, s.dc());
        Roll checked = roll(s, BOB, new Command.RollDice("1d20")).roll();
        assertEquals(12, checked.dc());
        assertEquals(checked.total() >= 12, checked.passed());
        assertEquals(DiceRules.NOT_DM, refusal(rules.decide(s, new Command.ClearDc(), ctx(BOB))));
        s = fold(s, rules.decide(s, new Command.ClearDc(), ctx(DM)));
        assertNull(roll(s, BOB, new Command.RollDice("1d20")).roll().passed());
    }

    @Test
    void onlyTheCreatorPromotesAnOpenRoomAndTheHistoryShowsIt() {
        State s = room(Mode.OPEN);
        assertEquals(DiceRules.NOT_ROOM_CREATOR, refusal(rules.decide(s, new Command.Promote(), ctx(BOB))));
        s = fold(s, rules.decide(s, new Command.Promote(), ctx(DM)));
        assertEquals(Mode.DM_LED, s.mode());
        assertTrue(s.isDm(DM));
        assertEquals("dm-led", s.changes().getFirst().kind());
        assertEquals(DiceRules.ALREADY_DM_LED, refusal(rules.decide(s, new Command.Promote(), ctx(DM))));
        JsonNode view = Json.tree(rules.view(s, Viewer.of(BOB)));
        assertEquals("dm-led", view.path("mode").asText());
        assertEquals("dm-led", view.path("changes").get(0).path("kind").asText());
    }

    @Test
    void aKickedPlayerCannotComeBackNotEvenWithANewTokenFromTheSameBrowser() {
        State s = room(Mode.OPEN);
        assertEquals(DiceRules.NOT_ADMIN, refusal(rules.decide(s, new Command.Kick(DM), ctx(BOB))));
        assertEquals(DiceRules.CANNOT_KICK_SELF, refusal(rules.decide(s, new Command.Kick(DM), ctx(DM))));
        assertEquals(DiceRules.PLAYER_NOT_FOUND, refusal(rules.decide(s, new Command.Kick(CAROL), ctx(DM))));

        Decision<Event> kick = rules.decide(s, new Command.Kick(BOB), ctx(DM));
        Event.PlayerKicked kicked = (Event.PlayerKicked) ((Decision.Accept<Event>) kick).events().getFirst();
        JsonNode seen = Json.tree(rules.project(s, kicked, Viewer.of(DM)));
        assertTrue(seen.path("devices").isMissingNode(), "browser ids are never sent: " + seen);
        s = fold(s, kick);
        assertFalse(s.has(BOB));

        assertEquals(DiceRules.KICKED, refusal(rules.join(s, ctx(BOB))));
        // A new guest token is a new player id, but the same browser:
        assertEquals(DiceRules.KICKED, refusal(rules.join(s, ctx("g-bob2", "Bobby", "dev-" + BOB))));
        // Another browser and player is welcome.
        fold(s, rules.join(s, ctx(CAROL)));
    }

    @Test
    void theAdminLocksTheRoomAndNobodyNewJoinsButMembersComeBack() {
        State s = room(Mode.OPEN); // DM created it, Bob is in
        assertEquals(DiceRules.NOT_ADMIN, refusal(rules.decide(s, new Command.Lock(true), ctx(BOB))));
        s = fold(s, rules.decide(s, new Command.Lock(null), ctx(DM))); // absent = lock
        assertTrue(Json.tree(rules.view(s, Viewer.of(BOB))).path("locked").asBoolean());
        assertTrue(((Decision.Accept<Event>) rules.decide(s, new Command.Lock(true), ctx(DM))).events().isEmpty(),
                "locking a locked room tells nobody anything");
        assertEquals(ErrorCodes.ROOM_LOCKED, refusal(rules.join(s, ctx(CAROL))));
        assertTrue(rules.join(s, ctx(BOB)) instanceof Decision.Accept<Event>, "a member comes back");
        // Through JSON, as a snapshot stores it, and back.
        State stored = Json.read(Json.bytes(s), State.class);
        assertEquals(ErrorCodes.ROOM_LOCKED, refusal(rules.join(stored, ctx(CAROL))));
        s = fold(s, rules.decide(s, new Command.Lock(false), ctx(DM)));
        assertFalse(Json.tree(rules.view(s, Viewer.of(BOB))).path("locked").asBoolean());
        fold(s, rules.join(s, ctx(CAROL)));
    }

    @Test
    void aFullRoomRefusesNewPlayers() {
        DiceRules small = new DiceRules(new DiceModel.Settings(2, Duration.ofHours(1), Duration.ofHours(1), 10,
                Duration.ofSeconds(10), List.of(), Duration.ofSeconds(60)));
        State s = small.initial();
        for (Event e : ((Decision.Accept<Event>) small.open(s, null, ctx(DM))).events()) {
            s = small.apply(s, e);
        }
        for (Event e : ((Decision.Accept<Event>) small.join(s, ctx(BOB))).events()) {
            s = small.apply(s, e);
        }
        assertEquals(DiceRules.ROOM_FULL, assertInstanceOf(Decision.Reject.class, small.join(s, ctx(CAROL))).code());
    }

    @Test
    void namesFollowThePlatformRuleHyphensAndApostrophesIncluded() {
        State s = room(Mode.OPEN);
        assertEquals(ErrorCodes.INVALID_NAME, refusal(rules.join(s, ctx(CAROL, "<script>", "dev-c"))));
        assertEquals(ErrorCodes.INVALID_NAME, refusal(rules.join(s, ctx(CAROL, "x".repeat(21), "dev-c"))));
        assertEquals(ErrorCodes.INVALID_NAME, refusal(rules.open(rules.initial(), null, ctx(CAROL, " ", "dev-c"))));
        fold(s, rules.join(s, ctx(CAROL, "Carol the 2nd", "dev-c")));
        fold(s, rules.join(s, ctx(CAROL, "Ana-Maria", "dev-c")));
        fold(s, rules.join(s, ctx(CAROL, "O'Neil", "dev-c")));
    }

    @Test
    void tenRollsPerTenSecondsPerPlayer() {
        State s = room(Mode.OPEN);
        for (int i = 0; i < 10; i++) {
            s = rolled(s, BOB, new Command.RollDice("1d6"));
            now = now.plusMillis(100);
        }
        Decision<Event> eleventh = rules.decide(s, new Command.RollDice("1d6"), ctx(BOB));
        assertEquals(DiceRules.RATE_LIMIT, refusal(eleventh));
        assertTrue(((Decision.Reject<Event>) eleventh).message().contains("try again in"));
        rolled(s, DM, new Command.RollDice("1d6")); // others are not limited by Bob
        now = T0.plusSeconds(10).plusMillis(1);
        rolled(s, BOB, new Command.RollDice("1d6"));
    }

    @Test
    void anIdleRoomIsWarnedAt180And30SecondsThenClosed() {
        State s = room(Mode.DM_LED); // 30 minutes
        Instant expires = T0.plus(Duration.ofMinutes(30));
        assertEquals(expires.minusSeconds(180), rules.deadline(s).orElseThrow());

        now = expires.minusSeconds(180);
        Decision<Event> first = rules.onDeadline(s, ctx("system"));
        assertEquals(180, ((Event.RoomExpiring) ((Decision.Accept<Event>) first).events().getFirst()).seconds());
        s = fold(s, first);
        assertEquals(expires.minusSeconds(30), rules.deadline(s).orElseThrow());

        now = expires.minusSeconds(30);
        s = fold(s, rules.onDeadline(s, ctx("system")));
        assertEquals(expires, rules.deadline(s).orElseThrow());

        now = expires;
        s = fold(s, rules.onDeadline(s, ctx("system")));
        assertEquals("expired", s.closed());
        assertTrue(rules.closed(s));
        assertTrue(rules.deadline(s).isEmpty());
        assertEquals(ErrorCodes.ROOM_NOT_FOUND, refusal(rules.join(s, ctx(CAROL))));
        assertEquals(ErrorCodes.ROOM_NOT_FOUND, refusal(rules.decide(s, new Command.RollDice("1d6"), ctx(BOB))));
    }

    @Test
    void activityRestartsTheExpiryClockAndItsWarnings() {
        State s = room(Mode.OPEN); // 5 hours
        now = T0.plus(Duration.ofHours(5)).minusSeconds(180);
        s = fold(s, rules.onDeadline(s, ctx("system")));
        s = rolled(s, BOB, new Command.RollDice("1d6"));
        assertEquals(0, s.warned());
        assertEquals(now.plus(Duration.ofHours(5)).minusSeconds(180), rules.deadline(s).orElseThrow());
    }

    private State presence(State s, String actor, String connection, boolean connected) {
        return fold(s, rules.presence(s, connection, connected, ctx(actor)));
    }

    private static List<Boolean> online(DiceRules rules, State s) {
        return ((DiceModel.View) rules.view(s, Viewer.of(BOB))).players().stream()
                .map(DiceModel.PlayerView::connected).toList();
    }

    @Test
    void presenceFollowsEachPlayersConnectionsAndHidesTheirIds() {
        State s = room(Mode.OPEN);
        assertEquals(List.of(false, false), online(rules, s));
        s = presence(s, DM, "c1", true);
        s = presence(s, BOB, "c2", true);
        s = presence(s, DM, "c3", true); // a second tab
        assertEquals(List.of(true, true), online(rules, s));
        assertEquals(0, ((Decision.Accept<Event>) rules.presence(s, "c1", true, ctx(DM))).events().size(),
                "a repeated announcement changes nothing");
        s = presence(s, DM, "c1", false);
        assertEquals(List.of(true, true), online(rules, s), "one tab closed, the other still shows the room");
        Event.Presence last = (Event.Presence) ((Decision.Accept<Event>) rules.presence(s, "c3", false, ctx(DM)))
                .events().getFirst();
        assertFalse(last.connected());
        assertNull(last.graceUntil(), "an open room has no DM to wait for");
        JsonNode seen = Json.tree(rules.project(rules.apply(s, last), last, Viewer.of(BOB)));
        assertFalse(seen.has("connection"), seen.toString());
        assertEquals(DM, seen.path("player").asText());
        s = rules.apply(s, last);
        assertEquals(List.of(false, true), online(rules, s));
        assertTrue(rules.deadline(s).orElseThrow().isAfter(T0.plus(Duration.ofHours(4))), "no early deadline");
    }

    @Test
    void aDmLedRoomWaitsSixtySecondsForItsDmThenCloses() {
        State s = presence(room(Mode.DM_LED), DM, "c1", true);
        now = T0.plusSeconds(10);
        s = presence(s, DM, "c1", false);
        Instant grace = T0.plusSeconds(70);
        assertEquals(grace.toEpochMilli(), s.dmAwayUntil());
        assertEquals(grace, rules.deadline(s).orElseThrow());
        assertEquals(grace.toEpochMilli(), ((DiceModel.View) rules.view(s, Viewer.of(BOB))).dmAwayUntil());

        // Back in time: the room goes on and its deadline is the expiry again.
        now = T0.plusSeconds(50);
        State back = presence(s, DM, "c2", true);
        assertNull(back.dmAwayUntil());
        assertTrue(rules.deadline(back).orElseThrow().isAfter(grace));

        // Not back: at the deadline the room closes for the DM's absence.
        now = grace;
        State closed = fold(s, rules.onDeadline(s, ctx(BOB)));
        assertEquals(DiceRules.DM_LEFT, closed.closed());
        assertTrue(rules.closed(closed));
        assertEquals(ErrorCodes.ROOM_NOT_FOUND, refusal(rules.join(closed, ctx(CAROL))));
    }

    @Test
    void theDmLeavingADmLedRoomClosesIt() {
        State s = room(Mode.DM_LED);
        s = fold(s, rules.leave(s, ctx(DM)));
        assertEquals(DiceRules.DM_LEFT, s.closed());
        State open = room(Mode.OPEN);
        open = fold(open, rules.leave(open, ctx(DM)));
        assertNull(open.closed(), "an open room carries on without its creator");
    }

    @Test
    void historyPagesOlderRollsAsTheViewerMaySeeThem() {
        State s = room(Mode.DM_LED);
        s = rules.apply(s, roll(s, DM, new Command.RollDice("1d20", true, null)));
        for (int i = 0; i < 60; i++) {
            now = now.plusSeconds(2);
            s = rolled(s, i % 2 == 0 ? BOB : DM, new Command.RollDice("1d6"));
        }
        JsonNode view = Json.tree(rules.view(s, Viewer.of(BOB)));
        assertEquals(DiceModel.VIEW_ROLLS, view.path("rolls").size());
        assertEquals(61, view.path("historySize").asInt());

        String oldestShown = view.path("rolls").get(0).path("id").asText();
        Decision<Event> page = rules.decide(s, new Command.History(oldestShown, 50), ctx(BOB));
        DiceModel.HistoryPage older = (DiceModel.HistoryPage) assertInstanceOf(Decision.Reply.class, page).body();
        assertEquals(11, older.rolls().size());
        assertFalse(older.more());
        assertTrue(older.rolls().getFirst().hidden());
        assertNull(older.rolls().getFirst().total(), "the hidden roll stays hidden in history");
        assertEquals(DiceRules.ROLL_NOT_FOUND, refusal(rules.decide(s, new Command.History("nope", 10), ctx(BOB))));
    }

    @Test
    void historyKeepsTheLatest500Rolls() {
        State s = room(Mode.OPEN);
        for (int i = 0; i < DiceModel.HISTORY + 20; i++) {
            now = now.plusSeconds(2);
            s = rolled(s, BOB, new Command.RollDice("1d4"));
            assertEquals(Math.min(i + 1, DiceModel.HISTORY), s.rolls().size(), "never more than 500, after roll " + i);
        }
        assertEquals(DiceModel.HISTORY, s.rolls().size());
        assertEquals(21, s.rolls().getFirst().number(), "the oldest 20 are gone; numbers run on");
        assertEquals(DiceModel.HISTORY + 20, s.rolls().getLast().number());
        assertTrue(s.recentRolls().get(BOB).size() <= 10, "the rate-limit memory stays small");
    }

    @Test
    void stateSurvivesAJsonRoundTripAsInASnapshot() {
        State s = room(Mode.DM_LED);
        s = rolled(s, BOB, new Command.RollDice("4d6kh3+1"));
        s = fold(s, rules.decide(s, new Command.Kick(BOB), ctx(DM)));
        assertEquals(s, Json.read(Json.bytes(s), State.class));
    }

    // --- the session directory and statistics (GameRules host/barred/memberNames/end/tally) ---

    private static Roll madeRoll(String id, String player, boolean hidden, DiceFormula.Term... terms) {
        int total = java.util.Arrays.stream(terms).mapToInt(DiceFormula.Term::subtotal).sum();
        return new Roll(id, player + ":" + id, player, player.substring(2), "x", List.of(terms), 0, total,
                T0.toEpochMilli(), hidden, null, null, null, 1, null, null, null); // no mode: as stored before modes
    }

    private static DiceFormula.Term d20s(String notation, int... values) {
        // Keeps the highest one when there are several (advantage); each die is given as it came up.
        int best = java.util.Arrays.stream(values).max().orElseThrow();
        List<DiceFormula.Die> dice = new java.util.ArrayList<>();
        boolean keptOne = false;
        for (int v : values) {
            boolean kept = values.length == 1 || (!keptOne && v == best);
            keptOne |= kept;
            dice.add(new DiceFormula.Die(v, kept, false));
        }
        return new DiceFormula.Term(1, values.length, 20, notation, dice, best);
    }

    @Test
    void theHostIsTheAdminAndMembersAreNamedInJoiningOrder() {
        State s = room(Mode.OPEN);
        assertEquals(java.util.Optional.of(DM), rules.host(s));
        assertEquals(java.util.Map.of(DM, "dm", BOB, "bob"), rules.memberNames(s));
        assertEquals(List.of(DM, BOB), List.copyOf(rules.memberNames(s).keySet()));
        State creatorGone = fold(s, rules.leave(s, ctx(DM)));
        assertEquals(java.util.Optional.of(BOB), rules.host(creatorGone), "an open room passes to whoever is left");
        State empty = fold(creatorGone, rules.leave(creatorGone, ctx(BOB)));
        assertTrue(rules.host(empty).isEmpty(), "a room nobody is in has no host");
    }

    @Test
    void barredListsKickedPlayersButNotTheirBrowsers() {
        State s = room(Mode.OPEN);
        s = fold(s, rules.join(s, ctx(CAROL)));
        s = fold(s, rules.decide(s, new Command.Kick(BOB), ctx(DM)));
        assertTrue(s.kicked().contains("dev-" + BOB), "the browser is barred too");
        assertEquals(List.of(BOB), rules.barred(s));
        assertFalse(rules.memberNames(s).containsKey(BOB));
    }

    @Test
    void onlyTheHostEndsTheRoomAndItClosesAsEnded() {
        State s = room(Mode.DM_LED);
        assertEquals(ErrorCodes.FORBIDDEN, refusal(rules.end(s, ctx(BOB))));
        assertEquals(ErrorCodes.FORBIDDEN, refusal(rules.end(s, ctx(CAROL))), "nor can a stranger");
        State ended = fold(s, rules.end(s, ctx(DM)));
        assertTrue(rules.closed(ended));
        assertEquals(DiceRules.ENDED, ended.closed());
        assertEquals(ErrorCodes.ROOM_NOT_FOUND, refusal(rules.end(ended, ctx(DM))), "ending twice");
        assertTrue(rules.deadline(ended).isEmpty());
    }

    @Test
    void aRollTalliesOneRollAndItsKeptNaturalTwenties() {
        State s = room(Mode.OPEN);
        Roll plain = madeRoll("r1", BOB, false, d20s("1d20", 20),
                new DiceFormula.Term(1, 2, 6, "2d6", List.of(new DiceFormula.Die(6, true, false),
                        new DiceFormula.Die(6, true, false)), 12));
        Event e = new Event.Rolled(plain);
        assertEquals(java.util.Map.of(BOB, java.util.Map.of("rolls", 1L, "natural_20s", 1L)),
                rules.tally(rules.apply(s, e), e), "a 6 on a d6 is no natural 20");

        Roll two = madeRoll("r2", BOB, false, d20s("1d20", 20), d20s("1d20", 20));
        e = new Event.Rolled(two);
        assertEquals(2L, rules.tally(rules.apply(s, e), e).get(BOB).get("natural_20s"));

        Roll disadvantage = madeRoll("r3", BOB, false, new DiceFormula.Term(1, 2, 20, "2d20kl1",
                List.of(new DiceFormula.Die(20, false, false), new DiceFormula.Die(4, true, false)), 4));
        e = new Event.Rolled(disadvantage);
        assertEquals(java.util.Map.of(BOB, java.util.Map.of("rolls", 1L)), rules.tally(rules.apply(s, e), e),
                "a dropped 20 is not a natural 20");

        Roll none = madeRoll("r4", DM, false, d20s("1d20", 13));
        e = new Event.Rolled(none);
        assertEquals(java.util.Map.of(DM, java.util.Map.of("rolls", 1L)), rules.tally(rules.apply(s, e), e));
        Event joined = new Event.PlayerJoined(new DiceModel.Player(CAROL, "carol"), T0.toEpochMilli(), null);
        assertTrue(rules.tally(rules.apply(s, joined), joined).isEmpty());
    }

    @Test
    void aHiddenRollsNaturalTwentyCountsOnlyOnceRevealed() {
        State s = room(Mode.DM_LED);
        Roll secret = madeRoll("secret", DM, true, d20s("1d20", 20));
        Event rolled = new Event.Rolled(secret);
        s = rules.apply(s, rolled);
        assertEquals(java.util.Map.of(DM, java.util.Map.of("rolls", 1L)), rules.tally(s, rolled),
                "statistics are public: a secret natural 20 must not show in them");
        Event revealed = new Event.RollRevealed("secret", T0.toEpochMilli() + 5, null);
        s = rules.apply(s, revealed);
        assertEquals(java.util.Map.of(DM, java.util.Map.of("natural_20s", 1L)), rules.tally(s, revealed));

        // Seeded dice through decide: the tally agrees with the dice the event recorded.
        State open = room(Mode.OPEN);
        for (int i = 0; i < 40; i++) {
            Event.Rolled r = roll(open, BOB, new Command.RollDice("2d20"));
            long twenties = r.roll().terms().getFirst().dice().stream().filter(d -> d.value() == 20).count();
            var tally = rules.tally(rules.apply(open, r), r).get(BOB);
            assertEquals(1L, tally.get("rolls"));
            assertEquals(twenties, tally.getOrDefault("natural_20s", 0L));
        }
    }

    // --- issue 18: roll modes, labels, advantage in words, chat, the admin passing on ---

    private Roll rollAs(State s, String actor, String formula, DiceModel.RollMode mode) {
        return roll(s, actor, new Command.RollDice(formula, null, null, mode, null)).roll();
    }

    private static boolean whole(JsonNode roll) {
        return roll.has("total") || roll.has("terms") || roll.has("formula") || roll.has("label");
    }

    @Test
    void aRollToTheDmIsSeenWholeByItsRollerAndTheDmOnly() {
        State s = room(Mode.DM_LED);
        s = fold(s, rules.join(s, ctx(CAROL)));
        Event.Rolled toDm = roll(s, BOB, new Command.RollDice("1d20+3", null, null, DiceModel.RollMode.DM, "Insight"));
        s = rules.apply(s, toDm);
        assertTrue(toDm.roll().hidden());
        assertEquals("Insight", toDm.roll().label());
        assertTrue(whole(Json.tree(rules.project(s, toDm, Viewer.of(BOB))).path("roll")));
        assertTrue(whole(Json.tree(rules.project(s, toDm, Viewer.of(DM))).path("roll")));
        for (Viewer other : List.of(Viewer.of(CAROL), Viewer.PUBLIC, Viewer.OUTSIDER)) {
            JsonNode seen = Json.tree(rules.project(s, toDm, other)).path("roll");
            assertFalse(whole(seen), other + " saw " + seen);
            assertEquals("dm", seen.path("mode").asText());
            assertEquals(toDm.roll().number(), seen.path("number").asLong());
        }
        JsonNode carolsView = Json.tree(rules.view(s, Viewer.of(CAROL))).path("rolls").get(0);
        assertFalse(whole(carolsView));
        JsonNode history = Json.tree(((Decision.Reply<Event>) rules.decide(s, new Command.History(null, null),
                ctx(CAROL))).body()).path("rolls").get(0);
        assertFalse(whole(history), "nor in the history: " + history);
    }

    @Test
    void aRollToOneselfIsSeenByItsRollerAloneEvenInAnOpenRoom() {
        State s = room(Mode.OPEN);
        Roll mine = rollAs(s, BOB, "2d6", DiceModel.RollMode.SELF);
        s = rules.apply(s, new Event.Rolled(mine));
        assertTrue(whole(Json.tree(rules.view(s, Viewer.of(BOB))).path("rolls").get(0)));
        assertFalse(whole(Json.tree(rules.view(s, Viewer.of(DM))).path("rolls").get(0)), "not even the admin");
        State dmLed = room(Mode.DM_LED);
        Roll bobs = rollAs(dmLed, BOB, "2d6", DiceModel.RollMode.SELF);
        dmLed = rules.apply(dmLed, new Event.Rolled(bobs));
        assertFalse(whole(Json.tree(rules.view(dmLed, Viewer.of(DM))).path("rolls").get(0)), "nor the DM");
    }

    @Test
    void privateRollsAreNeverRevealedAndAddNoNaturalTwenties() {
        State s = room(Mode.DM_LED);
        Roll toDm = rollAs(s, BOB, "1d20", DiceModel.RollMode.DM);
        s = rules.apply(s, new Event.Rolled(toDm));
        assertEquals(DiceRules.ROLL_NOT_HIDDEN, refusal(rules.decide(s, new Command.Reveal(toDm.id()), ctx(DM))));
        Roll twenty = new Roll("AAAAAAAAAAAAAAAA", BOB + ":x", BOB, "bob", "1d20", List.of(d20s("1d20", 20)), 0, 20,
                T0.toEpochMilli(), true, null, null, null, 2, DiceModel.RollMode.SELF, null, null);
        assertEquals(java.util.Map.of(BOB, java.util.Map.of("rolls", 1L)), rules.tally(s, new Event.Rolled(twenty)));
    }

    @Test
    void rollModesAreRefusedWhereTheyMeanNothing() {
        State open = room(Mode.OPEN);
        assertEquals(DiceRules.HIDDEN_NOT_ALLOWED, refusal(rules.decide(open,
                new Command.RollDice("1d20", null, null, DiceModel.RollMode.DM, null), ctx(BOB))));
        assertEquals(DiceRules.HIDDEN_NOT_ALLOWED, refusal(rules.decide(open,
                new Command.RollDice("1d20", null, null, DiceModel.RollMode.SECRET, null), ctx(DM))));
        State dmLed = room(Mode.DM_LED);
        assertEquals(DiceRules.HIDDEN_NOT_ALLOWED, refusal(rules.decide(dmLed,
                new Command.RollDice("1d20", null, null, DiceModel.RollMode.SECRET, null), ctx(BOB))));
        Roll secret = rollAs(dmLed, DM, "1d20", DiceModel.RollMode.SECRET);
        assertEquals(DiceModel.RollMode.SECRET, secret.mode());
        Roll legacy = roll(dmLed, DM, new Command.RollDice("1d20", true, Advantage.NONE)).roll();
        assertEquals(DiceModel.RollMode.SECRET, legacy.mode(), "hidden: true still asks for a secret roll");
        assertEquals(DiceModel.RollMode.PUBLIC, roll(open, BOB, new Command.RollDice("1d20")).roll().mode());
    }

    @Test
    void advantageIsKeptAsThePlayersIntent() {
        State s = room(Mode.OPEN);
        Roll roll = roll(s, BOB, new Command.RollDice("1d20+5", null, Advantage.ADVANTAGE, null, null)).roll();
        assertEquals("1d20+5", roll.formula(), "the formula is what the player asked for");
        assertEquals(Advantage.ADVANTAGE, roll.advantage());
        assertEquals("2d20kh1", roll.terms().getFirst().notation(), "the dice are what was drawn");
        assertEquals(2, roll.terms().getFirst().dice().size());
        JsonNode json = Json.tree(roll);
        assertEquals("advantage", json.path("advantage").asText());
        Roll plain = roll(s, BOB, new Command.RollDice("1d20", null, Advantage.NONE, null, null)).roll();
        assertFalse(Json.tree(plain).has("advantage"), "no advantage, no field");
        Roll worse = roll(s, BOB, new Command.RollDice("d20-1", null, Advantage.DISADVANTAGE, null, null)).roll();
        assertEquals("1d20-1", worse.formula());
        assertEquals("2d20kl1", worse.terms().getFirst().notation());
    }

    @Test
    void labelsAreShortPlainTextAndHiddenWithTheirRoll() {
        State s = room(Mode.DM_LED);
        Roll stealth = roll(s, BOB, new Command.RollDice("1d20", null, null, null, "  Stealth <b>check</b> ")).roll();
        assertEquals("Stealth <b>check</b>", stealth.label(), "kept as typed: clients show it as text");
        assertNull(roll(s, BOB, new Command.RollDice("1d20", null, null, null, "   ")).roll().label());
        assertEquals(DiceRules.INVALID_LABEL, refusal(rules.decide(s,
                new Command.RollDice("1d20", null, null, null, "x".repeat(41)), ctx(BOB))));
        assertEquals(DiceRules.INVALID_LABEL, refusal(rules.decide(s,
                new Command.RollDice("1d20", null, null, null, "a\nb"), ctx(BOB))));
        assertEquals(DiceRules.INVALID_LABEL, refusal(rules.decide(s,
                new Command.RollDice("1d20", null, null, null, "abc\u202Edcba"), ctx(BOB))));
        Event.Rolled secret = roll(s, DM, new Command.RollDice("1d20", null, null, DiceModel.RollMode.SECRET,
                "Perception"));
        s = rules.apply(s, secret);
        assertFalse(Json.tree(rules.project(s, secret, Viewer.of(BOB))).toString().contains("Perception"),
                "a secret roll's label tells what the DM is checking");
    }

    @Test
    void chatLinesReachEveryMemberButNotAnOutsider() {
        State s = room(Mode.OPEN);
        Decision<Event> said = rules.decide(s, new Command.Say("  Hi <b>all</b> & welcome  "), ctx(BOB));
        Event.Chatted line = (Event.Chatted) ((Decision.Accept<Event>) said).events().getFirst();
        s = rules.apply(s, line);
        assertEquals("Hi <b>all</b> & welcome", line.text());
        assertEquals(Json.tree(rules.project(s, line, Viewer.PUBLIC)), Json.tree(rules.project(s, line, Viewer.of(DM))),
                "every member gets the same line (one message for the room)");
        JsonNode outside = Json.tree(rules.project(s, line, Viewer.OUTSIDER));
        assertEquals("chat", outside.path("type").asText());
        assertFalse(outside.has("text"), "an outsider sees that someone spoke, not what: " + outside);
        assertEquals("Hi <b>all</b> & welcome",
                Json.tree(rules.view(s, Viewer.of(DM))).path("chat").get(0).path("text").asText());
        assertEquals(0, Json.tree(rules.view(s, Viewer.OUTSIDER)).path("chat").size());
    }

    @Test
    void chatIsLengthAndRateLimited() {
        State s = room(Mode.OPEN);
        assertEquals(DiceRules.INVALID_CHAT, refusal(rules.decide(s, new Command.Say("   "), ctx(BOB))));
        assertEquals(DiceRules.INVALID_CHAT, refusal(rules.decide(s, new Command.Say("x".repeat(301)), ctx(BOB))));
        assertEquals(DiceRules.INVALID_CHAT, refusal(rules.decide(s, new Command.Say("one\ntwo"), ctx(BOB))));
        s = fold(s, rules.decide(s, new Command.Say("x".repeat(300)), ctx(BOB)));
        for (int i = 1; i < 5; i++) {
            now = now.plusMillis(100);
            s = fold(s, rules.decide(s, new Command.Say("line " + i), ctx(BOB)));
        }
        Decision<Event> sixth = rules.decide(s, new Command.Say("too fast"), ctx(BOB));
        assertEquals(DiceRules.RATE_LIMIT, refusal(sixth));
        assertTrue(((Decision.Reject<Event>) sixth).message().contains("try again in 10 s"),
                ((Decision.Reject<Event>) sixth).message());
        fold(s, rules.decide(s, new Command.Say("others may still talk"), ctx(DM)));
        now = now.plusSeconds(10);
        fold(s, rules.decide(s, new Command.Say("later"), ctx(BOB)));
    }

    @Test
    void aKickedPlayersChatGoesWithThem() {
        State s = room(Mode.OPEN);
        s = fold(s, rules.decide(s, new Command.Say("spam"), ctx(BOB)));
        s = fold(s, rules.decide(s, new Command.Say("hello"), ctx(DM)));
        s = fold(s, rules.decide(s, new Command.Kick(BOB), ctx(DM)));
        assertEquals(List.of("hello"), s.chat().stream().map(dev.runeforge.game.chat.Chat.Line::text).toList());
        assertFalse(rules.isMember(s, BOB), "and, no longer a member, the engine refuses anything more they send");
    }

    @Test
    void anOpenRoomPassesItsAdminToTheLongestPresentOnlinePlayerWhenTheAdminLeaves() {
        State s = room(Mode.OPEN);
        s = fold(s, rules.join(s, ctx(CAROL)));
        s = fold(s, rules.presence(s, "c-carol", true, ctx(CAROL))); // Bob joined first but is offline
        Decision.Accept<Event> left = (Decision.Accept<Event>) rules.leave(s, ctx(DM));
        Event.AdminChanged changed = (Event.AdminChanged) left.events().get(1);
        assertEquals(CAROL, changed.player());
        assertEquals(DM, changed.previous());
        assertEquals("left", changed.reason());
        s = fold(s, left);
        assertEquals(CAROL, Json.tree(rules.view(s, Viewer.of(BOB))).path("admin").asText());
        assertEquals(DM, Json.tree(rules.view(s, Viewer.of(BOB))).path("creator").asText(), "who created it stays");
        assertEquals(java.util.Optional.of(CAROL), rules.host(s));
        s = fold(s, rules.decide(s, new Command.Promote(), ctx(CAROL)));
        assertTrue(s.isDm(CAROL), "the new admin may make it DM-led and runs it as its DM");
        assertEquals(CAROL, Json.tree(rules.view(s, Viewer.of(BOB))).path("dm").asText());
        fold(s, rules.decide(s, new Command.Kick(BOB), ctx(CAROL)));

        State noneOnline = room(Mode.OPEN);
        Event.AdminChanged toBob = (Event.AdminChanged) ((Decision.Accept<Event>) rules.leave(noneOnline, ctx(DM)))
                .events().get(1);
        assertEquals(BOB, toBob.player(), "with nobody online, the longest present");
        State alone = fold(rules.initial(), rules.open(rules.initial(),
                JsonNodeFactory.instance.objectNode().put("mode", "open"), ctx(DM)));
        assertEquals(1, ((Decision.Accept<Event>) rules.leave(alone, ctx(DM))).events().size(), "nobody to pass to");
        State bobLeaves = room(Mode.OPEN);
        assertEquals(1, ((Decision.Accept<Event>) rules.leave(bobLeaves, ctx(BOB))).events().size());
    }

    @Test
    void theNewFieldsSurviveASnapshotAndOldSnapshotsStillRead() {
        State s = room(Mode.DM_LED);
        s = fold(s, rules.decide(s, new Command.Say("hi"), ctx(BOB)));
        s = rolled(s, BOB, new Command.RollDice("1d20", null, Advantage.ADVANTAGE, DiceModel.RollMode.DM, "Stealth"));
        assertEquals(s, Json.read(Json.bytes(s), State.class));
        com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode) Json.tree(s);
        old.remove(List.of("admin", "chat", "recentChat"));
        State read = Json.read(Json.bytes(old), State.class);
        assertTrue(read.isDm(DM), "no admin: the creator runs the room");
        assertEquals(List.of(), read.chat());
    }

    // --- the edges: each rule's other side, pinned one by one ---

    @Test
    void aRoomOfNoPlayersIsRefusedAsASetting() {
        Settings d = Settings.DEFAULT;
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Settings(0,
                d.openTtl(), d.dmLedTtl(), d.rollLimit(), d.rollWindow(), d.warnings(), d.dmGrace()));
        assertEquals(1, new Settings(1, d.openTtl(), d.dmLedTtl(), d.rollLimit(), d.rollWindow(), d.warnings(),
                d.dmGrace()).maxPlayers());
        assertEquals(State.class, rules.stateType());
    }

    @Test
    void aClosedRoomRefusesLeavingAndIgnoresPresence() {
        State s = room(Mode.OPEN);
        s = fold(s, rules.end(s, ctx(DM)));
        assertEquals(ErrorCodes.ROOM_NOT_FOUND, refusal(rules.leave(s, ctx(BOB))));
        Decision.Accept<Event> nothing = assertInstanceOf(Decision.Accept.class, rules.presence(s, "c9", true, ctx(BOB)));
        assertTrue(nothing.events().isEmpty());
    }

    @Test
    void aRollUnderTheDcFailsItAndOneOverPassesIt() {
        State s = room(Mode.DM_LED);
        s = fold(s, rules.decide(s, new Command.SetDc(30), ctx(DM)));
        assertEquals(Boolean.FALSE, roll(s, BOB, new Command.RollDice("1d4")).roll().passed());
        assertEquals(Boolean.TRUE, roll(s, BOB, new Command.RollDice("1d4+29")).roll().passed());
        assertEquals(Boolean.TRUE, roll(s, BOB, new Command.RollDice("1d4+30")).roll().passed());
    }

    @Test
    void revealingWithoutNamingARollFindsNone() {
        State s = room(Mode.DM_LED);
        assertEquals(DiceRules.ROLL_NOT_FOUND, refusal(rules.decide(s, new Command.Reveal(null), ctx(DM))));
    }

    @Test
    void kickingWithoutNamingAPlayerFindsNone() {
        State s = room(Mode.OPEN);
        assertEquals(DiceRules.PLAYER_NOT_FOUND, refusal(rules.decide(s, new Command.Kick(null), ctx(DM))));
        assertEquals(DiceRules.PLAYER_NOT_FOUND, refusal(rules.decide(s, new Command.Kick("g-nobody"), ctx(DM))));
    }

    @Test
    void historyWithoutACursorPagesBackFromTheNewestRoll() {
        State s = d6Rolls(room(Mode.OPEN), 30);
        DiceModel.HistoryPage newest = page(s, null, 10);
        assertEquals(10, newest.rolls().size());
        assertTrue(newest.more());
        assertEquals(s.rolls().getLast().id(), newest.rolls().getLast().id());
        DiceModel.HistoryPage all = (DiceModel.HistoryPage) assertInstanceOf(Decision.Reply.class,
                rules.decide(s, new Command.History(null, 100), ctx(BOB))).body();
        assertEquals(30, all.rolls().size());
        assertFalse(all.more());
        DiceModel.HistoryPage one = (DiceModel.HistoryPage) assertInstanceOf(Decision.Reply.class,
                rules.decide(s, new Command.History(null, 0), ctx(BOB))).body();
        assertEquals(1, one.rolls().size(), "a page holds at least one roll");
    }

    @Test
    void aKickStoredWithoutBrowserIdsBarsThePlayerAlone() {
        State s = room(Mode.OPEN);
        s = rules.apply(s, new Event.PlayerKicked(BOB, null, DM, now.toEpochMilli()));
        assertEquals(List.of(BOB), s.kicked());
        assertFalse(s.has(BOB));
    }

    @Test
    void aModeChangeBackToOpenIsRecordedAsOpen() {
        State s = room(Mode.DM_LED);
        s = rules.apply(s, new Event.ModeChanged(Mode.OPEN, DM, now.toEpochMilli()));
        assertEquals(Mode.OPEN, s.mode());
        assertEquals("open", Json.tree(rules.view(s, Viewer.of(BOB))).path("mode").asText());
    }

    @Test
    void aRoomThatWasNeverCreatedHasNoHostAndNoDeadline() {
        assertTrue(rules.host(rules.initial()).isEmpty());
        assertTrue(rules.deadline(rules.initial()).isEmpty());
    }

    @Test
    void revealingARollWithoutANaturalTwentyTalliesNothing() {
        State s = room(Mode.DM_LED);
        s = rules.apply(s, roll(s, DM, new Command.RollDice("1d4", true, null)));
        String id = s.rolls().getLast().id();
        Decision.Accept<Event> reveal = assertInstanceOf(Decision.Accept.class,
                rules.decide(s, new Command.Reveal(id), ctx(DM)));
        Event revealed = reveal.events().getFirst();
        s = rules.apply(s, revealed);
        assertEquals(java.util.Map.of(), rules.tally(s, revealed));
    }

    @Test
    void aRollStoredWithoutItsDiceCountsAsARollWithNoNaturalTwenties() {
        State s = room(Mode.OPEN);
        Roll whole = roll(s, BOB, new Command.RollDice("1d20")).roll();
        Roll bare = new Roll(whole.id(), whole.action(), whole.player(), whole.name(), whole.formula(), null,
                whole.modifier(), whole.total(), whole.at(), false, null, null, null, whole.number(), whole.mode(),
                whole.label(), whole.advantage());
        Event.Rolled event = new Event.Rolled(bare);
        assertEquals(java.util.Map.of(BOB, java.util.Map.of("rolls", 1L)), rules.tally(rules.apply(s, event), event));
    }

    @Test
    void aTimerBeforeTheDmsGraceEndsOrBeforeAnyWarningDoesNothing() {
        State s = presence(room(Mode.DM_LED), DM, "c1", true);
        s = presence(s, DM, "c1", false); // grace until T0 + 60 s
        now = T0.plusSeconds(30);
        Decision.Accept<Event> early = assertInstanceOf(Decision.Accept.class, rules.onDeadline(s, ctx("system")));
        assertTrue(early.events().isEmpty(), "the DM may still come back and no warning is due");
    }

    @Test
    void aSnapshotWithoutDevicesOrConnectionsReadsAsNone() {
        State s = presence(room(Mode.OPEN), BOB, "c1", true);
        ObjectNode old = (ObjectNode) Json.tree(s);
        old.remove("devices");
        old.remove("connections");
        State read = Json.convert(old, State.class);
        assertEquals(java.util.Map.of(), read.devices());
        assertEquals(java.util.Map.of(), read.connections());
        assertFalse(read.connected(BOB));
    }

    @Test
    void aDcFromOneToThirtyIsTakenAndAnOpenRoomIsNotClosed() {
        State s = room(Mode.DM_LED);
        assertEquals(1, fold(s, rules.decide(s, new Command.SetDc(1), ctx(DM))).dc());
        assertEquals(30, fold(s, rules.decide(s, new Command.SetDc(30), ctx(DM))).dc());
        assertFalse(rules.closed(s));
        assertEquals("dice", rules.id());
    }

    // ---------------------------------------------------------------- issue 21: what the mutation run found unpinned

    @Test
    void aSecretRollRefusedSaysWhoMayRollInSecret() {
        State dmLed = room(Mode.DM_LED);
        Command.RollDice secret = new Command.RollDice("1d20", null, null, DiceModel.RollMode.SECRET, null);
        assertEquals("only the DM rolls in secret; roll to the DM instead",
                ((Decision.Reject<Event>) rules.decide(dmLed, secret, ctx(BOB))).message());
        assertEquals("secret rolls are for DM-led rooms",
                ((Decision.Reject<Event>) rules.decide(room(Mode.OPEN), secret, ctx(BOB))).message());
    }

    @Test
    void historyBeforeTheFirstRollIsAnEmptyLastPage() {
        State s = d6Rolls(room(Mode.OPEN), 3);
        DiceModel.HistoryPage before = page(s, s.rolls().getFirst().id(), 10);
        assertEquals(List.of(), before.rolls());
        assertFalse(before.more());
        DiceModel.HistoryPage second = page(s, s.rolls().get(1).id(), 10);
        assertEquals(List.of(s.rolls().getFirst().id()), second.rolls().stream().map(Roll::id).toList());
        assertFalse(second.more());
    }

    @Test
    void aTwentyOnAnotherDieIsNoNaturalTwenty() {
        State s = room(Mode.OPEN);
        Roll percentile = madeRoll("r1", BOB, false, new DiceFormula.Term(1, 1, 100, "1d100",
                List.of(new DiceFormula.Die(20, true, false)), 20));
        Event e = new Event.Rolled(percentile);
        assertEquals(java.util.Map.of(BOB, java.util.Map.of("rolls", 1L)), rules.tally(rules.apply(s, e), e));
    }
}
