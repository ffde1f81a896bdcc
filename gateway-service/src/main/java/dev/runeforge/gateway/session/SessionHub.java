package dev.runeforge.gateway.session;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.bus.Views;
import dev.runeforge.common.telemetry.Telemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.opentelemetry.api.trace.Span;

/**
 * Routes game instances' views to this gateway's sockets. It subscribes to {@code <ns>.out.<session>.>} while at
 * least one local socket is in that session, and hands each message to the sockets it is addressed to: {@code .all}
 * to every socket in the session, {@code .p.<player>} to that player's. It never parses a view: the message's
 * type and seq are in its headers ({@link Views}), and its bytes go to the sockets as they are.
 *
 * <p>Sessions are spread over a few dispatchers (each a thread of jnats), so one session's burst does not queue
 * behind another's. Handing over is cheap (sockets queue what they are given and write on their own threads).
 */
public final class SessionHub {
    /** A local socket in a session. */
    public interface Member {
        String player();

        /** Called on a dispatcher thread; must only queue. */
        void deliver(String session, String type, long seq, String text);
    }

    private static final int DISPATCHERS = 2;

    private final Subjects subjects;
    private final List<Dispatcher> dispatchers;
    private final Map<String, Set<Member>> sessions = new ConcurrentHashMap<>();
    private final String outPrefix;
    private final Telemetry telemetry;

    public SessionHub(Connection nc, Subjects subjects, MeterRegistry metrics) {
        this.subjects = subjects;
        this.telemetry = Telemetry.of(nc);
        this.dispatchers = java.util.stream.IntStream.range(0, DISPATCHERS)
                .mapToObj(i -> nc.createDispatcher(this::onMessage)).toList();
        this.outPrefix = subjects.namespace() + ".out.";
        metrics.gaugeMapSize("rf_gateway_sessions_subscribed", List.of(), sessions);
    }

    public void attach(String session, Member member) {
        sessions.compute(session, (s, members) -> {
            if (members == null) {
                members = ConcurrentHashMap.newKeySet();
                dispatcherOf(s).subscribe(subjects.outSession(s));
            }
            members.add(member);
            return members;
        });
    }

    public void detach(String session, Member member) {
        sessions.computeIfPresent(session, (s, members) -> {
            members.remove(member);
            if (members.isEmpty()) {
                dispatcherOf(s).unsubscribe(subjects.outSession(s));
                return null;
            }
            return members;
        });
    }

    private Dispatcher dispatcherOf(String session) {
        return dispatchers.get(Math.floorMod(session.hashCode(), dispatchers.size()));
    }

    private void onMessage(Message msg) {
        // <ns>.out.<session>.all | <ns>.out.<session>.p.<player>
        String subject = msg.getSubject();
        int dot = subject.indexOf('.', outPrefix.length());
        if (dot < 0) {
            return;
        }
        String session = subject.substring(outPrefix.length(), dot);
        Set<Member> members = sessions.get(session);
        if (members == null) {
            return;
        }
        String player = subject.startsWith("p.", dot + 1) ? subject.substring(dot + 3) : null;
        String type = Views.type(msg);
        if (type == null) {
            return; // not a view (nothing else is published here)
        }
        long seq = Views.seq(msg);
        Span span = telemetry.consumer("process rf.out", subject, msg.getHeaders())
                .setAttribute(Telemetry.SESSION, session)
                .setAttribute(Telemetry.PLAYER, player);
        try {
            String text = new String(msg.getData(), StandardCharsets.UTF_8);
            for (Member m : members) {
                if (player == null || player.equals(m.player())) {
                    m.deliver(session, type, seq, text);
                }
            }
        } finally {
            span.end();
        }
    }
}
