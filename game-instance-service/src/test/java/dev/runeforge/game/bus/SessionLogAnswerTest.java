package dev.runeforge.game.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import io.nats.client.api.PublishAck;
import org.junit.jupiter.api.Test;

/**
 * How an append's wait reads what jnats completed its future with ({@link SessionLog#answer}): the stream's refusal
 * reaches the caller as it is (a fenced append, GameInstanceIT), and everything that means "no answer" is an
 * {@link IOException}, which the append turns into {@link SessionLog.AppendUnanswered}. The futures are made here:
 * a timeout of a real bus takes seconds, and the shapes are jnats' own (it wraps what the answer's processing threw
 * in a RuntimeException, and CompletableFuture that in a CompletionException).
 */
class SessionLogAnswerTest {
    @Test
    void anAnswerIsReturned() throws Exception {
        PublishAck ack = new PublishAck(io.nats.client.impl.NatsMessage.builder().subject("x")
                .data("{\"stream\":\"s\",\"seq\":7}").build());
        assertSame(ack, SessionLog.answer(CompletableFuture.completedFuture(ack)));
        assertEquals(7, SessionLog.answer(CompletableFuture.completedFuture(ack)).getSeqno());
    }

    @Test
    void aRequestJnatsTimedOutIsAnIoException() {
        CompletableFuture<PublishAck> timedOut = new CompletableFuture<>();
        timedOut.completeExceptionally(new TimeoutException("timed out"));
        IOException e = assertThrows(IOException.class, () -> SessionLog.answer(timedOut));
        assertTrue(e.getMessage().contains("no answer"), e.getMessage());
    }

    @Test
    void aRequestJnatsCancelledIsAnIoException() {
        CompletableFuture<PublishAck> cancelled = new CompletableFuture<>();
        cancelled.cancel(true);
        IOException e = assertThrows(IOException.class, () -> SessionLog.answer(cancelled));
        assertTrue(e.getMessage().contains("no answer"), e.getMessage());
    }

    @Test
    void anIoExceptionWrappedByJnatsIsUnwrapped() {
        IOException noResponders = new IOException("503 No Responders Available For Request");
        CompletableFuture<PublishAck> failed = new CompletableFuture<>();
        failed.completeExceptionally(new CompletionException(new RuntimeException(noResponders)));
        assertSame(noResponders, assertThrows(IOException.class, () -> SessionLog.answer(failed)));
    }

    @Test
    void anyOtherFailureKeepsItsType() {
        IllegalStateException bug = new IllegalStateException("closed");
        CompletableFuture<PublishAck> failed = new CompletableFuture<>();
        failed.completeExceptionally(bug);
        assertSame(bug, assertThrows(IllegalStateException.class, () -> SessionLog.answer(failed)));
        CompletableFuture<PublishAck> odd = new CompletableFuture<>();
        odd.completeExceptionally(new Exception("checked"));
        assertEquals("checked", assertThrows(IOException.class, () -> SessionLog.answer(odd)).getMessage());
    }

    @Test
    void anInterruptedWaitIsAnIoExceptionAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            assertThrows(IOException.class, () -> SessionLog.answer(new CompletableFuture<>()));
            assertTrue(Thread.interrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
