package dev.runeforge.gateway.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One socket's view of one session's events: it lets them through exactly once and in {@code seq} order, so the
 * client's seq never skips (protocol.md promises gap-free seqs). Pure: it decides, the caller sends and keeps time.
 *
 * <p>Until the socket has a position (its {@code joined} view, or a resume's), events are held. After it, an event
 * that would leave a hole is held too. A hole is usually a view still on its way (an answer to the socket's own
 * action, or a view on another dispatcher thread, overtook it), so the caller first waits a grace
 * ({@link Step#check}) and asks the owning game instance for the missed events only if the hole is still open
 * then ({@link #check}); held events follow as soon as it closes. A hole that {@link #OVERTAKEN} later events have
 * passed is no view on its way: it is filled at once, grace or not (a session rolling hundreds of times a second
 * would otherwise leave the owner's window of recent views during the grace). Events at or before the position are dropped
 * (repeats: a new owner sending its predecessor's last views again, a fill that overlaps the live stream). At most
 * {@link #HOLD} events are held; past that the caller asks for a fresh view.
 */
public final class SeqGate {
    /** Events held while waiting for a position or a fill, at most. */
    static final int HOLD = 256;
    /**
     * Events past a hole after which it is filled without waiting for the grace. A view overtaken on its way is
     * overtaken by one or two others; the owner keeps the views of 64 commits ({@code game.resume.window}).
     */
    static final int OVERTAKEN = 16;

    /**
     * What the caller does after an event: send these texts; {@code fill}: ask now for the events after
     * {@code after}; {@code check}: call {@link #check} after the grace (a hole opened).
     */
    public record Step(List<String> send, boolean fill, long after, boolean check) {
        static final Step NOTHING = new Step(List.of(), false, 0, false);

        static Step send(List<String> texts) {
            return texts.isEmpty() ? NOTHING : new Step(texts, false, 0, false);
        }

        Step andCheck() {
            return new Step(send, fill, after, true);
        }
    }

    private long last = -1;
    private final TreeMap<Long, String> held = new TreeMap<>();
    /** The newest seq an answer said the session reached. */
    private long reached = -1;
    private boolean filling;
    private boolean checking;
    private boolean overflowed;

    /** Whether the socket has a position in the session (a view or a resume) yet. */
    public boolean positioned() {
        return last >= 0;
    }

    /** The seq of the last event let through (or of the view), -1 before any. */
    public long last() {
        return last;
    }

    /**
     * The socket has a position: a view (or a resume) as of {@code seq}. Returns the held events that follow it
     * without a hole, to send after the view.
     */
    public Step position(long seq) {
        last = seq;
        held.headMap(seq, true).clear();
        filling = false;
        overflowed = false;
        return drain(new ArrayList<>());
    }

    /** An event arrived (live, or from a fill). */
    public Step event(long seq, String text) {
        if (last >= 0 && seq <= last) {
            return Step.NOTHING; // seen already
        }
        if (last >= 0 && seq == last + 1) {
            List<String> send = new ArrayList<>();
            send.add(text);
            last = seq;
            return drain(send);
        }
        if (held.size() >= HOLD) {
            held.clear();
            overflowed = true;
        } else if (!overflowed) {
            held.put(seq, text);
        }
        return holeOpened();
    }

    /**
     * The session is known to be at {@code seq} (an answer to this socket's action said so): if that is past the
     * last event let through, one is missing so far.
     */
    public Step reached(long seq) {
        if (last < 0 || seq <= last) {
            return Step.NOTHING;
        }
        reached = Math.max(reached, seq);
        return holeOpened();
    }

    /**
     * The grace after a hole opened has passed: if it is still open, the caller asks for what is missing now
     * ({@link Step#fill}).
     */
    public Step check() {
        checking = false;
        if (filling || !hole()) {
            return Step.NOTHING;
        }
        filling = true;
        return new Step(List.of(), true, last, false);
    }

    /**
     * A fill came back (its events went through {@link #event} already). If a hole remains (the events that were
     * missing were not all there), the caller is asked again at once; a second failure should end in a fresh view.
     */
    public Step filled() {
        filling = false;
        if (hole()) {
            filling = true;
            return new Step(List.of(), true, last, false);
        }
        return Step.NOTHING;
    }

    /** Whether events past the position are still waiting for a hole to close. */
    public boolean holding() {
        return !held.isEmpty() || overflowed;
    }

    private boolean hole() {
        return last >= 0 && (overflowed || (!held.isEmpty() && held.firstKey() > last + 1) || reached > last);
    }

    private Step holeOpened() {
        if (last < 0 || filling) {
            return Step.NOTHING; // no position yet (the view is coming), or the missing events are asked for
        }
        if (overflowed || Math.max(reached, held.isEmpty() ? -1 : held.lastKey()) - last > OVERTAKEN) {
            filling = true; // far behind: not a view on its way
            return new Step(List.of(), true, last, false);
        }
        if (checking) {
            return Step.NOTHING; // a look after the grace is due already
        }
        checking = true;
        return Step.NOTHING.andCheck();
    }

    private Step drain(List<String> send) {
        while (!held.isEmpty() && held.firstKey() <= last + 1) {
            Map.Entry<Long, String> next = held.pollFirstEntry();
            if (next.getKey() == last + 1) {
                send.add(next.getValue());
                last = next.getKey();
            }
        }
        return Step.send(send);
    }
}
