package dev.runeforge.persistence.permalink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.permalink.PublicRoll;
import org.junit.jupiter.api.Test;

class RollEventsTest {
    private static JsonNode json(String text) {
        return Json.read(text.replace('\'', '"'), JsonNode.class);
    }

    private static final String ROLL = "{'id':'AbCdEfGhIjKlMn_-','action':'g-1:a','player':'g-1','name':'Ada',"
            + "'formula':'2d20kh1+1d6!-1','terms':[{'sign':1,'count':2,'sides':20,'notation':'2d20kh1','subtotal':17,"
            + "'dice':[{'value':17,'kept':true,'exploded':false},{'value':3,'kept':false,'exploded':false}]},"
            + "{'sign':1,'count':1,'sides':6,'notation':'1d6!','subtotal':8,'dice':[{'value':6,'kept':true,'exploded':true},"
            + "{'value':2,'kept':true,'exploded':false}]}],'modifier':-1,'total':24,'at':1790000000000,'hidden':true,"
            + "'dc':15,'passed':true}";

    @Test
    void rollsAndRevealsAreReadWithTheirSessionSequence() {
        List<RollEvents.Fact> facts = RollEvents.of(json("{'session':'s1','game':'dice','code':'WOLF-1234','firstSeq':7,"
                + "'events':[{'type':'dc_set','dc':15,'by':'g-1','at':1},{'type':'rolled','roll':" + ROLL + "},"
                + "{'type':'roll_revealed','roll':'AbCdEfGhIjKlMn_-','at':1790000000500}]}"));
        assertEquals(2, facts.size());
        RollEvents.Rolled rolled = (RollEvents.Rolled) facts.get(0);
        assertEquals(8, rolled.seq());
        assertEquals("s1", rolled.session());
        assertEquals("WOLF-1234", rolled.code());
        assertEquals("Ada", rolled.name());
        assertEquals(-1, rolled.modifier());
        assertEquals(24, rolled.total());
        assertEquals(15, rolled.dc());
        assertTrue(rolled.passed());
        assertTrue(rolled.hidden());
        assertEquals(List.of(new PublicRoll.Die(6, true, true), new PublicRoll.Die(2, true, false)),
                rolled.terms().get(1).dice());
        assertEquals(new RollEvents.Revealed("s1", 9, "AbCdEfGhIjKlMn_-", 1790000000500L), facts.get(1));
    }

    @Test
    void fieldsOutsideTheFixedSetAreDroppedAndAMissingDcIsNull() {
        String roll = ROLL.replace(",'dc':15,'passed':true", "").replace("'value':17,", "'value':17,'colour':'red',");
        RollEvents.Rolled rolled = (RollEvents.Rolled) RollEvents.of(json(
                "{'session':'s','code':'X-1','firstSeq':1,'events':[{'type':'rolled','roll':" + roll + "}]}")).get(0);
        assertNull(rolled.dc());
        assertNull(rolled.passed());
        assertEquals(new PublicRoll.Die(17, true, false), rolled.terms().get(0).dice().get(0));
    }

    @Test
    void brokenEventsAndCommitsAreSkippedNotThrown() {
        assertEquals(List.of(), RollEvents.of(json("{'events':[]}")));
        assertEquals(List.of(), RollEvents.of(json("{'session':'s','firstSeq':0,'events':[]}")));
        List<RollEvents.Fact> facts = RollEvents.of(json("{'session':'s','firstSeq':1,'events':["
                + "{'type':'rolled','roll':{'id':'x'}},{'type':'rolled'},{'type':'roll_revealed','roll':'../../x','at':1},"
                + "{'type':'rolled','roll':" + ROLL.replace("'total':24", "'total':'many'") + "},"
                + "{'type':'roll_revealed','roll':'AbCdEfGhIjKlMn_-','at':5}]}"));
        assertEquals(List.of(new RollEvents.Revealed("s", 5, "AbCdEfGhIjKlMn_-", 5)), facts);
    }
}
