package dev.runeforge.common.bus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import io.nats.client.Message;
import io.nats.client.impl.Headers;

/**
 * The answer to one action request on {@code <ns>.act.<partition>.<session>}: what became of the action and the
 * frames its actor is sent ({@code joined}, {@code accepted}, {@code error}, the events a resume missed, …). One
 * message: the body holds each frame's JSON on a line of its own (JSON written compactly has no raw line breaks),
 * and {@link BusHeaders#FRAMES} names them in order, with the seq of {@code event} and {@code joined} frames, so a
 * gateway routes them without parsing any JSON. Written by the game instance, read by gateways (and tests).
 *
 * @param frames what the actor is sent, in order; empty for quiet actions (presence, timers)
 */
public record ActionReply(Outcome outcome, List<Frame> frames) {
    /** What became of an action. Every outcome but {@link #BUSY} and {@link #RETRY} means it was decided for good. */
    public enum Outcome {
        /** Applied now (or accepted without a change). */
        ACCEPTED,
        /** Refused by the rules or the engine; the frames hold the error. */
        REJECTED,
        /** Applied before (a retry): nothing changed, the result is sent again. */
        DUPLICATE,
        /** Not taken: the instance is overloaded. The frames hold a BUSY error; the same action may be sent later. */
        BUSY,
        /**
         * Not taken: a passing failure (the log could not be written, the session is moving). Nothing changed;
         * the sender tries again after a short back-off, without telling the player.
         */
        RETRY
    }

    /** One server message for the actor: its {@code type}, its {@code seq} (or {@link #NO_SEQ}) and its JSON. */
    public record Frame(String type, long seq, String json) {
        public static final long NO_SEQ = -1;

        public Frame {
            Objects.requireNonNull(type);
            Objects.requireNonNull(json);
            if (type.isEmpty() || type.indexOf(' ') >= 0 || type.indexOf(':') >= 0) {
                throw new IllegalArgumentException("bad frame type '" + type + "'");
            }
            if (json.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a frame's JSON must fit on one line");
            }
        }
    }

    public ActionReply {
        Objects.requireNonNull(outcome);
        frames = List.copyOf(frames);
    }

    /** The reply's headers: the outcome and the frame index. */
    public Headers headers() {
        StringBuilder index = new StringBuilder();
        for (Frame f : frames) {
            if (!index.isEmpty()) {
                index.append(' ');
            }
            index.append(f.type());
            if (f.seq() != Frame.NO_SEQ) {
                index.append(':').append(f.seq());
            }
        }
        Headers h = new Headers().put(BusHeaders.OUTCOME, outcome.name().toLowerCase(Locale.ROOT));
        if (!frames.isEmpty()) {
            h.put(BusHeaders.FRAMES, index.toString());
        }
        return h;
    }

    public byte[] body() {
        if (frames.isEmpty()) {
            return new byte[0];
        }
        StringBuilder body = new StringBuilder();
        for (Frame f : frames) {
            if (!body.isEmpty()) {
                body.append('\n');
            }
            body.append(f.json());
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a reply; an unreadable one is an {@link IllegalArgumentException}. */
    public static ActionReply read(Message msg) {
        Headers h = msg.getHeaders();
        String outcome = h == null ? null : h.getFirst(BusHeaders.OUTCOME);
        if (outcome == null) {
            throw new IllegalArgumentException("an action reply without " + BusHeaders.OUTCOME);
        }
        Outcome o;
        try {
            o = Outcome.valueOf(outcome.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown outcome '" + outcome + "'", e);
        }
        String index = h.getFirst(BusHeaders.FRAMES);
        if (index == null || index.isEmpty()) {
            return new ActionReply(o, List.of());
        }
        String[] names = index.split(" ");
        String[] texts = new String(msg.getData(), StandardCharsets.UTF_8).split("\n", -1);
        if (names.length != texts.length) {
            throw new IllegalArgumentException(names.length + " frames named, " + texts.length + " in the body");
        }
        List<Frame> frames = new ArrayList<>(names.length);
        for (int i = 0; i < names.length; i++) {
            int colon = names[i].indexOf(':');
            try {
                frames.add(colon < 0 ? new Frame(names[i], Frame.NO_SEQ, texts[i])
                        : new Frame(names[i].substring(0, colon), Long.parseLong(names[i].substring(colon + 1)), texts[i]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad frame '" + names[i] + "'", e);
            }
        }
        return new ActionReply(o, frames);
    }
}
