package dev.runeforge.common.bus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RpcTest {
    /** A responder may publish its answer anywhere the requester points it: only inboxes get one. */
    @Test
    void answersOnlyRequestsWhoseReplySubjectIsAnInbox() {
        assertTrue(Rpc.answerable("_INBOX.rf.gateway-service.abc.1"));
        assertTrue(Rpc.answerable("_INBOX.abc"));
        assertFalse(Rpc.answerable("rf.evt.s-1"));
        assertFalse(Rpc.answerable("rf.out.s-1.all"));
        assertFalse(Rpc.answerable("_INBOXX.abc"));
        assertFalse(Rpc.answerable(null));
    }
}
