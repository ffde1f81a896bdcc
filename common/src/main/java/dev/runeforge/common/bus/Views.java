package dev.runeforge.common.bus;

import io.nats.client.Message;
import io.nats.client.impl.Headers;

/**
 * Views on {@code <ns>.out.<session>.all|.p.<player>}: a server message's JSON as the body, and its type and
 * seq in headers ({@link BusHeaders#TYPE}, {@link BusHeaders#SEQ}), so a gateway forwards the bytes to its
 * sockets in seq order without parsing them. Written by the game instance that owns the session.
 */
public final class Views {
    /** No seq: the message is not a session event. */
    public static final long NO_SEQ = -1;

    private Views() {
    }

    public static Headers headers(String type, long seq) {
        Headers h = new Headers().put(BusHeaders.TYPE, type);
        if (seq != NO_SEQ) {
            h.put(BusHeaders.SEQ, Long.toString(seq));
        }
        return h;
    }

    /** The view's message type, or null when the message does not say. */
    public static String type(Message msg) {
        Headers h = msg.getHeaders();
        return h == null ? null : h.getFirst(BusHeaders.TYPE);
    }

    /** The view's seq, or {@link #NO_SEQ}. */
    public static long seq(Message msg) {
        Headers h = msg.getHeaders();
        String seq = h == null ? null : h.getFirst(BusHeaders.SEQ);
        if (seq == null) {
            return NO_SEQ;
        }
        try {
            return Long.parseLong(seq);
        } catch (NumberFormatException e) {
            return NO_SEQ;
        }
    }
}
