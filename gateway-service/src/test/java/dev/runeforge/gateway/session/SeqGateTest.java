package dev.runeforge.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class SeqGateTest {
    private static String ev(long seq) {
        return "e" + seq;
    }

    @Test
    void eventsBeforeThePositionAreHeldAndThoseItCoversDropped() {
        SeqGate gate = new SeqGate();
        assertEquals(List.of(), gate.event(5, ev(5)).send());
        assertEquals(List.of(), gate.event(6, ev(6)).send());
        assertFalse(gate.positioned());
        // The view is as of 5: 5 is in it, 6 follows it.
        assertEquals(List.of(ev(6)), gate.position(5).send());
        assertEquals(6, gate.last());
        assertFalse(gate.holding());
    }

    @Test
    void aHoleIsNeverCrossedAndOneStillOpenAfterTheGraceIsFilled() {
        SeqGate gate = new SeqGate();
        gate.position(10);
        SeqGate.Step skip = gate.event(12, ev(12));
        assertEquals(List.of(), skip.send(), "12 waits for 11");
        assertTrue(skip.check(), "look again after the grace");
        assertFalse(skip.fill(), "not at once: 11 is probably on its way");
        assertFalse(gate.event(13, ev(13)).check(), "one look at a time");
        SeqGate.Step fill = gate.check();
        assertTrue(fill.fill(), "still open after the grace: ask the owner");
        assertEquals(10, fill.after());
        assertFalse(gate.check().fill(), "one fill at a time");
        assertEquals(List.of(ev(11), ev(12), ev(13)), gate.event(11, ev(11)).send());
        assertFalse(gate.filled().fill());
        assertEquals(List.of(), gate.event(12, ev(12)).send(), "the live copy of a filled event is a repeat");
    }

    @Test
    void aHoleTheLiveStreamClosesWithinTheGraceCostsNoFill() {
        SeqGate gate = new SeqGate();
        gate.position(10);
        // The answer to the socket's own roll (12) overtook another player's roll (11) on its way.
        assertTrue(gate.event(12, ev(12)).check());
        assertTrue(gate.reached(12).send().isEmpty());
        assertEquals(List.of(ev(11), ev(12)), gate.event(11, ev(11)).send());
        assertFalse(gate.check().fill(), "nothing is missing any more");
        assertFalse(gate.holding());
    }

    @Test
    void anAnswerAheadOfTheEventsLooksAgainAfterTheGrace() {
        SeqGate gate = new SeqGate();
        gate.position(3);
        assertTrue(gate.reached(5).check(), "the session is at 5, the socket at 3");
        assertEquals(List.of(ev(4)), gate.event(4, ev(4)).send());
        SeqGate.Step fill = gate.check();
        assertTrue(fill.fill(), "5 never came");
        assertEquals(4, fill.after());
        assertEquals(List.of(ev(5)), gate.event(5, ev(5)).send());
        assertFalse(gate.filled().fill());
        assertFalse(gate.reached(5).check(), "known already");
    }

    @Test
    void aFillThatLeavesAHoleAsksAgain() {
        SeqGate gate = new SeqGate();
        gate.position(1);
        gate.event(4, ev(4));
        assertTrue(gate.check().fill());
        gate.event(2, ev(2));
        SeqGate.Step again = gate.filled();
        assertTrue(again.fill());
        assertEquals(2, again.after());
    }

    @Test
    void aHoleManyEventsDeepIsFilledAtOnceWithoutWaitingForTheGrace() {
        SeqGate gate = new SeqGate();
        gate.position(10);
        // 11 is missing; 12..26 are 15 events past it: still possibly a view overtaken on its way.
        for (long s = 12; s < 12 + SeqGate.OVERTAKEN - 1; s++) {
            assertFalse(gate.event(s, ev(s)).fill(), "event " + s + ": 11 may be on its way");
        }
        SeqGate.Step deep = gate.event(12 + SeqGate.OVERTAKEN - 1, ev(12 + SeqGate.OVERTAKEN - 1));
        assertTrue(deep.fill(), "16 events past the hole: ask now, before the owner's window moves past it");
        assertEquals(10, deep.after());
        assertFalse(gate.event(40, ev(40)).fill(), "one fill at a time");
        assertFalse(gate.check().fill(), "the grace's look finds the fill asked already");
        assertEquals(17, gate.event(11, ev(11)).send().size(), "11 and the 16 held after it, up to 27 (40 waits)");
    }

    @Test
    void anAnswerFarAheadIsFilledAtOnce() {
        SeqGate gate = new SeqGate();
        gate.position(3);
        assertFalse(gate.reached(3 + SeqGate.OVERTAKEN).fill(), "16 ahead: maybe still on their way");
        SeqGate far = new SeqGate();
        far.position(3);
        SeqGate.Step fill = far.reached(3 + SeqGate.OVERTAKEN + 1);
        assertTrue(fill.fill(), "17 behind the session: ask now");
        assertEquals(3, fill.after());
    }

    @Test
    void tooManyHeldEventsEndInAFreshView() {
        SeqGate gate = new SeqGate();
        gate.position(0);
        int fills = 0;
        for (int s = 2; s < 2 + SeqGate.HOLD + 10; s++) {
            fills += gate.event(s, ev(s)).fill() ? 1 : 0;
        }
        assertTrue(gate.holding());
        assertEquals(1, fills, "asked once, when the hole was 16 events deep");
        assertTrue(gate.filled().fill(), "the fill did not make it whole (held events were dropped): again, "
                + "until the view comes");
        assertEquals(List.of(), gate.position(5000).send());
        assertFalse(gate.holding());
    }

    /**
     * Whatever the bus does to a session's events (drops some, delivers some twice, swaps neighbours), what the
     * client gets is every event once, in order, provided the fills bring back what was dropped.
     */
    @Test
    void droppedRepeatedAndReorderedEventsReachTheClientGapFreeOnce() {
        SplittableRandom rng = new SplittableRandom(42);
        for (int run = 0; run < 500; run++) {
            int n = 1 + rng.nextInt(60);
            List<Long> wire = new ArrayList<>();
            for (long s = 1; s <= n; s++) {
                if (rng.nextInt(5) != 0) {
                    wire.add(s); // a fifth of the events never arrive
                }
                if (rng.nextInt(10) == 0) {
                    wire.add(s); // some arrive twice
                }
            }
            for (int i = 0; i + 1 < wire.size(); i++) {
                if (rng.nextInt(4) == 0) {
                    Collections.swap(wire, i, i + 1);
                }
            }
            SeqGate gate = new SeqGate();
            List<String> client = new ArrayList<>();
            client.addAll(gate.position(0).send());
            for (long s : wire) {
                SeqGate.Step step = gate.event(s, ev(s));
                client.addAll(step.send());
                if (step.check() || rng.nextInt(3) == 0) {
                    step = gate.check(); // the grace passes (now, or after more events arrived)
                }
                while (step.fill()) {
                    // The owner sends everything after the gate's position up to the newest event it has.
                    long newest = s;
                    for (long m = step.after() + 1; m <= newest; m++) {
                        client.addAll(gate.event(m, ev(m)).send());
                    }
                    step = gate.filled();
                }
            }
            SeqGate.Step end = gate.check(); // the last grace passes
            while (end.fill()) {
                long newest = wire.stream().mapToLong(Long::longValue).max().orElse(0);
                for (long m = end.after() + 1; m <= newest; m++) {
                    client.addAll(gate.event(m, ev(m)).send());
                }
                end = gate.filled();
            }
            List<String> expected = new ArrayList<>();
            long last = wire.stream().mapToLong(Long::longValue).max().orElse(0);
            for (long s = 1; s <= last; s++) {
                expected.add(ev(s));
            }
            assertEquals(expected, client, "run " + run + ", wire " + wire);
        }
    }
}
