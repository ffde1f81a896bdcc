package dev.runeforge.common.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.permalink.PublicRoll;
import dev.runeforge.common.permalink.RollFact;
import dev.runeforge.common.session.SessionSummary;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import org.junit.jupiter.api.Test;

/** The commit envelope of the events stream: what the game instance writes is what every reader gets back. */
class EventsStreamTest {
    private static final String ID = "AbCdEfGhIjKlMn_-";
    private static final RollFact.Rolled ROLLED = new RollFact.Rolled(ID, "Zoë", "1d20+2",
            List.of(new PublicRoll.Term(1, 1, 20, "1d20", List.of(new PublicRoll.Die(17, true, false)), 17)), 2, 19,
            15, true, false, 1_790_000_000_000L, "Stealth", "advantage");

    private static JsonNode json(String text) {
        return Json.read(text.replace('\'', '"'), JsonNode.class);
    }

    private static NatsMessage message(byte[] body, Headers headers) {
        return NatsMessage.builder().subject("rf.evt.s1").data(body).headers(headers).build();
    }

    /** A commit as stored before issue 19: no {@code v}, no roll facts. */
    private static EventsStream.Stored before(String commitJson) {
        return EventsStream.read(message(commitJson.replace('\'', '"').getBytes(StandardCharsets.UTF_8), null));
    }

    @Test
    void aCommitAndWhatItsGameDeclaredComeBackAsWritten() {
        Commit commit = new Commit("s1", "dice", "WOLF-RUNE-0001", "g-1:a", "g-1", 5, 7,
                List.of(json("{'type':'rolled','roll':{'id':'" + ID + "'}}"), json("{'type':'chat','text':'hi'}")));
        EventsStream.Declared declared = new EventsStream.Declared(Map.of(7L, Map.of("g-1", Map.of("rolls", 1L))),
                Map.of(7L, ROLLED, 8L, new RollFact.Revealed(ID, 9)));
        SessionSummary summary = new SessionSummary("s1", "dice", "WOLF-RUNE-0001", "g-1",
                List.of(new SessionSummary.Member("g-1", "Zoë 𝔄da")), List.of(), false, 8, 5);
        Headers headers = EventsStream.headers(commit, declared, summary);
        for (String name : List.of(BusHeaders.TALLY, BusHeaders.ROLLS, BusHeaders.SESSION)) {
            assertTrue(headers.getFirst(name).chars().allMatch(c -> c >= 0x20 && c < 0x7f), "ASCII only: " + name);
        }
        EventsStream.Stored stored = EventsStream.read(message(EventsStream.body(commit), headers));
        assertEquals(new EventsStream.Stored(commit, "dice", declared, summary), stored);
        assertEquals(Commit.VERSION, stored.commit().v());
        assertEquals(List.of(7L, 8L), List.copyOf(stored.declared().rolls().keySet()));
        assertEquals("rolled", EventsStream.type(stored.commit().events().getFirst()));
    }

    @Test
    void aCommitOfThisVersionDeclaringNoRollsHasNoneWhateverItsEventsAreCalled() {
        Commit commit = new Commit("s1", "newgame", null, "g-1:a", "g-1", 5, 1,
                List.of(json("{'type':'rolled','roll':{'id':'" + ID + "','name':'A','formula':'1d4','terms':[],"
                        + "'total':1,'at':1}}")));
        EventsStream.Stored stored = EventsStream.read(message(EventsStream.body(commit),
                EventsStream.headers(commit, EventsStream.Declared.NONE, null)));
        assertEquals(EventsStream.Declared.NONE, stored.declared());
        assertNull(stored.summary());
        assertNull(stored.commit().code());
    }

    @Test
    void whatIsNoCommitIsATypedError() {
        Headers none = new Headers();
        for (String body : List.of("not json", "{}", "{'session':'s','game':'g','actionId':'a','firstSeq':0,'events':[{}]}",
                "{'session':'s','game':'g','actionId':'a','firstSeq':1,'events':[]}",
                "{'session':'s','game':'g','actionId':'a','firstSeq':1,'events':[1]}")) {
            assertThrows(IllegalArgumentException.class,
                    () -> EventsStream.read(message(body.replace('\'', '"').getBytes(StandardCharsets.UTF_8), none)), body);
        }
        byte[] good = EventsStream.body(new Commit("s1", "dice", null, "a", null, 1, 1, List.of(json("{'type':'x'}"))));
        assertThrows(IllegalArgumentException.class,
                () -> EventsStream.read(message(good, new Headers().put(BusHeaders.ROLLS, "{\"1\":{\"fact\":\"rolled\"}}"))));
        assertThrows(IllegalArgumentException.class,
                () -> EventsStream.read(message(good, new Headers().put(BusHeaders.TALLY, "[]"))));
    }

    // Commits stored before issue 19: the dice room's roll facts are read out of its events, as persistence did.

    private static final String ROLL = "{'id':'AbCdEfGhIjKlMn_-','action':'g-1:a','player':'g-1','name':'Ada',"
            + "'formula':'2d20kh1+1d6!-1','terms':[{'sign':1,'count':2,'sides':20,'notation':'2d20kh1','subtotal':17,"
            + "'dice':[{'value':17,'kept':true,'exploded':false},{'value':3,'kept':false,'exploded':false}]},"
            + "{'sign':1,'count':1,'sides':6,'notation':'1d6!','subtotal':8,'dice':[{'value':6,'kept':true,'exploded':true},"
            + "{'value':2,'kept':true,'exploded':false}]}],'modifier':-1,'total':24,'at':1790000000000,'hidden':true,"
            + "'dc':15,'passed':true}";

    @Test
    void anOlderCommitsRollsAndRevealsAreReadWithTheirSessionSequence() {
        EventsStream.Stored stored = before("{'session':'s1','game':'dice','code':'WOLF-1234','actionId':'a',"
                + "'at':1,'firstSeq':7,'events':[{'type':'dc_set','dc':15,'by':'g-1','at':1},{'type':'rolled','roll':"
                + ROLL + "},{'type':'roll_revealed','roll':'AbCdEfGhIjKlMn_-','at':1790000000500}]}");
        assertEquals(1, stored.commit().v());
        Map<Long, RollFact> facts = stored.declared().rolls();
        assertEquals(List.of(8L, 9L), List.copyOf(facts.keySet()));
        RollFact.Rolled rolled = (RollFact.Rolled) facts.get(8L);
        assertEquals("Ada", rolled.name());
        assertEquals(-1, rolled.modifier());
        assertEquals(24, rolled.total());
        assertEquals(15, rolled.dc());
        assertTrue(rolled.passed());
        assertTrue(rolled.hidden());
        assertEquals(List.of(new PublicRoll.Die(6, true, true), new PublicRoll.Die(2, true, false)),
                rolled.terms().get(1).dice());
        assertEquals(new RollFact.Revealed(ID, 1790000000500L), facts.get(9L));
    }

    @Test
    void anOlderRollsFieldsOutsideTheFixedSetAreDroppedAndAMissingDcIsNull() {
        String roll = ROLL.replace(",'dc':15,'passed':true", "").replace("'value':17,", "'value':17,'colour':'red',");
        RollFact.Rolled rolled = (RollFact.Rolled) before("{'session':'s','game':'dice','code':'X-1','actionId':'a',"
                + "'at':1,'firstSeq':1,'events':[{'type':'rolled','roll':" + roll + "}]}").declared().rolls().get(1L);
        assertNull(rolled.dc());
        assertNull(rolled.passed());
        assertEquals(new PublicRoll.Die(17, true, false), rolled.terms().get(0).dice().get(0));
    }

    @Test
    void anOlderCommitsBrokenEventsAreSkippedNotThrown() {
        Map<Long, RollFact> facts = before("{'session':'s','game':'dice','actionId':'a','at':1,'firstSeq':1,'events':["
                + "{'type':'rolled','roll':{'id':'x'}},{'type':'rolled'},{'type':'roll_revealed','roll':'../../x','at':1},"
                + "{'type':'rolled','roll':" + ROLL.replace("'total':24", "'total':'many'") + "},"
                + "{'type':'roll_revealed','roll':'AbCdEfGhIjKlMn_-','at':5}]}").declared().rolls();
        assertEquals(Map.of(5L, new RollFact.Revealed(ID, 5)), facts);
    }

    @Test
    void anOlderCommitsRollsToTheDmOrToOneselfHaveNoFactsAndLabelsAndAdvantageAreKept() {
        String toDm = ROLL.replace("'hidden':true", "'hidden':true,'mode':'dm','label':'Insight'");
        String self = ROLL.replace("'hidden':true", "'hidden':true,'mode':'self'").replace(ID, "BbCdEfGhIjKlMn_-");
        String pub = ROLL.replace("'hidden':true", "'hidden':false,'mode':'public','label':'Stealth','advantage':'advantage'")
                .replace(ID, "CbCdEfGhIjKlMn_-");
        String secret = ROLL.replace("'hidden':true", "'hidden':true,'mode':'secret'").replace(ID, "DbCdEfGhIjKlMn_-");
        Map<Long, RollFact> facts = before("{'session':'s','game':'dice','code':'X-1','actionId':'a','at':1,"
                + "'firstSeq':1,'events':[{'type':'rolled','roll':" + toDm + "},{'type':'rolled','roll':" + self + "},"
                + "{'type':'rolled','roll':" + pub + "},{'type':'rolled','roll':" + secret + "}]}").declared().rolls();
        assertEquals(List.of("CbCdEfGhIjKlMn_-", "DbCdEfGhIjKlMn_-"), facts.values().stream().map(RollFact::id).toList());
        RollFact.Rolled stealth = (RollFact.Rolled) facts.get(3L);
        assertEquals("Stealth", stealth.label());
        assertEquals("advantage", stealth.advantage());
        RollFact.Rolled hidden = (RollFact.Rolled) facts.get(4L);
        assertTrue(hidden.hidden());
        assertNull(hidden.label());
        assertNull(hidden.advantage());
    }

    @Test
    void aRollFactIsValidatedAndNamedInItsJson() {
        assertEquals("rolled", Json.tree(ROLLED).path("fact").asText());
        assertEquals("revealed", Json.tree(new RollFact.Revealed(ID, 1)).path("fact").asText());
        assertEquals(ROLLED, Json.convert(Json.tree(ROLLED), RollFact.class));
        assertThrows(IllegalArgumentException.class, () -> new RollFact.Revealed("../x", 1));
        assertThrows(IllegalArgumentException.class, () -> new RollFact.Rolled(ID, "A", "1d4", List.of(), 0, 1, 10,
                null, false, 1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new RollFact.Rolled(ID, "A", "1d4", List.of(), 0, 1, null,
                null, false, 1, null, "twice"));
    }
}
