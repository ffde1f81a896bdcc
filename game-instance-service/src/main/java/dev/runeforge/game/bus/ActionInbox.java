package dev.runeforge.game.bus;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import dev.runeforge.common.bus.ActionReply;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.protocol.ServerMessage;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Subscription;

/**
 * Where actions come in: for every partition this instance owns, a core NATS subscription to
 * {@code <ns>.act.<partition>.>}. Each request is read and handed to its session's mailbox with its reply
 * subject; nothing is stored on the way (the sender repeats an unanswered action; the session and the log
 * apply a key once). Opening a partition waits until the server has the subscription, then announces it on
 * {@code <ns>.game.owned}, so gateways resend at once what they hold for it.
 */
public final class ActionInbox implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ActionInbox.class.getName());

    private final Connection nc;
    private final Subjects subjects;
    private final SessionMailboxes mailboxes;
    private final Dispatcher dispatcher;
    private final Map<Integer, Subscription> open = new ConcurrentHashMap<>();
    /** The dispatcher's delivered count the last check saw, and when it last moved (for {@link #stuckNanos}). */
    private long seenTaken = -1;
    private long seenAt;

    public ActionInbox(Connection nc, Subjects subjects, SessionMailboxes mailboxes) {
        this.nc = nc;
        this.subjects = subjects;
        this.mailboxes = mailboxes;
        this.dispatcher = nc.createDispatcher();
    }

    /** Starts taking the actions of {@code partitions}; returns once the server has the subscriptions. */
    public void open(Collection<Integer> partitions) throws TimeoutException, InterruptedException {
        for (int p : partitions) {
            open.computeIfAbsent(p, k -> dispatcher.subscribe(subjects.actionsOfPartition(k), this::onAction));
        }
        nc.flush(Duration.ofSeconds(5));
        if (!partitions.isEmpty()) {
            nc.publish(subjects.partitionsOwned(), partitions.stream().map(String::valueOf)
                    .collect(Collectors.joining(",")).getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Stops taking the actions of {@code partition} (what is already in its mailboxes still runs). */
    public void close(int partition) {
        Subscription sub = open.remove(partition);
        if (sub != null) {
            dispatcher.unsubscribe(sub);
        }
    }

    public int openCount() {
        return open.size();
    }

    /**
     * How long actions have waited in the dispatcher while it took none (0 when none waits). Called by one thread
     * (the {@link Watchdog}) at a steady pace: it notes the count it saw and when it last moved. jnats counts a
     * message as delivered before it calls the handler, so an action stuck in {@link #onAction} leaves the count
     * still and the actions behind it pending.
     */
    public long stuckNanos(long now) {
        long count = dispatcher.getDeliveredCount();
        if (count != seenTaken || dispatcher.getPendingMessageCount() == 0) {
            seenTaken = count;
            seenAt = now;
            return 0;
        }
        return now - seenAt;
    }

    private void onAction(Message msg) {
        BusAction action;
        try {
            action = Json.read(msg.getData(), BusAction.class);
        } catch (IllegalArgumentException e) {
            LOG.warning(() -> "refusing an unreadable action on " + msg.getSubject() + ": " + e.getMessage());
            if (msg.getReplyTo() != null) {
                ActionReply refusal = new ActionReply(ActionReply.Outcome.REJECTED, List.of(new ActionReply.Frame(
                        "error", ActionReply.Frame.NO_SEQ, Json.text(new ServerMessage.Error(ErrorCodes.BAD_MESSAGE,
                        "unreadable action", null)))));
                nc.publish(msg.getReplyTo(), refusal.headers(), refusal.body());
            }
            return;
        }
        mailboxes.submit(new SessionMailboxes.Work(action, msg.getReplyTo(), msg.getHeaders(), System.nanoTime()));
    }

    @Override
    public void close() {
        open.keySet().forEach(this::close);
        nc.closeDispatcher(dispatcher);
    }
}
