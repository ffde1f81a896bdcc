package dev.runeforge.gateway.connection;

import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A socket's outgoing frames, written in order by a virtual thread of the socket's own that lives while there is
 * something to write. Whoever produces a frame (the bus's dispatcher, a reply, the socket's reader) only queues
 * it, so a client that reads slowly holds up nobody but itself. Bounded: a client that falls {@code limit} frames
 * behind is closed (it reconnects and resumes, which costs it less than the whole gateway waiting for it).
 */
final class Outbox {
    private static final Logger LOG = Logger.getLogger(Outbox.class.getName());

    private final ArrayDeque<String> frames = new ArrayDeque<>();
    private final int limit;
    private final Consumer<String> writer;
    private final Runnable overflow;
    private boolean writing;
    private boolean closed;

    /**
     * @param writer   writes one frame (blocking while the socket's buffer is full)
     * @param overflow called once when the client fell {@code limit} frames behind
     */
    Outbox(int limit, Consumer<String> writer, Runnable overflow) {
        this.limit = limit;
        this.writer = writer;
        this.overflow = overflow;
    }

    void send(String frame) {
        boolean start = false;
        boolean overflowed = false;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (frames.size() >= limit) {
                closed = true;
                frames.clear();
                overflowed = true;
            } else {
                frames.addLast(frame);
                if (!writing) {
                    writing = true;
                    start = true;
                }
            }
        }
        if (overflowed) {
            // Closing writes a close frame, which may block on this very client: not on the producer's thread.
            Thread.ofVirtual().name("ws-overflow").start(overflow);
        } else if (start) {
            Thread.ofVirtual().name("ws-writer").start(this::drain);
        }
    }

    /** Drops what is queued and refuses more (the socket is closing). */
    void close() {
        synchronized (this) {
            closed = true;
            frames.clear();
        }
    }

    private void drain() {
        while (true) {
            String next;
            synchronized (this) {
                next = frames.pollFirst();
                if (next == null) {
                    writing = false;
                    return;
                }
            }
            try {
                writer.accept(next);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "write failed; the socket is closing", e);
                close();
            }
        }
    }
}
