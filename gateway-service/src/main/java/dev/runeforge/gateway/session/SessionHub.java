package dev.runeforge.gateway.session;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusHeaders;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.telemetry.Telemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.opentelemetry.api.trace.Span;

/**
 * Routes game instances' views to this gateway's sockets. It subscribes to {@code rf.out.<session>.>} while at
 * least one local socket is in that session, and hands each message only to the sockets it is addressed to:
 * {@code .all} to every socket in the session, {@code .p.<player>} to that player's sockets (only the
 * originating one when the message names it). Handing a message to the sockets is a CONSUMER span under the
 * game instance's span that published it.
 */
public final class SessionHub {
    private static final Logger LOG = Logger.getLogger(SessionHub.class.getName());

    /** A local socket that can take session messages. */
    public interface Member {
        String player();

        String connectionId();

        /** Called on the hub's dispatcher thread; must not block for long. */
        void deliver(String session, JsonNode message, String text);
    }

    private final Subjects subjects;
    private final Dispatcher dispatcher;
    private final Map<String, Set<Member>> sessions = new ConcurrentHashMap<>();
    private final String outPrefix;
    private final Telemetry telemetry;

    public SessionHub(Connection nc, Subjects subjects, MeterRegistry metrics) {
        this.subjects = subjects;
        this.telemetry = Telemetry.of(nc);
        this.dispatcher = nc.createDispatcher(this::onMessage);
        this.outPrefix = subjects.namespace() + ".out.";
        metrics.gaugeMapSize("rf_gateway_sessions_subscribed", java.util.List.of(), sessions);
    }

    public void attach(String session, Member member) {
        sessions.compute(session, (s, members) -> {
            if (members == null) {
                members = ConcurrentHashMap.newKeySet();
                dispatcher.subscribe(subjects.outSession(s));
            }
            members.add(member);
            return members;
        });
    }

    public void detach(String session, Member member) {
        sessions.computeIfPresent(session, (s, members) -> {
            members.remove(member);
            if (members.isEmpty()) {
                dispatcher.unsubscribe(subjects.outSession(s));
                return null;
            }
            return members;
        });
    }

    private void onMessage(Message msg) {
        // <ns>.out.<session>.all | <ns>.out.<session>.p.<player>
        String rest = msg.getSubject().substring(outPrefix.length());
        int dot = rest.indexOf('.');
        if (dot < 0) {
            return;
        }
        String session = rest.substring(0, dot);
        String audience = rest.substring(dot + 1);
        String player = audience.startsWith("p.") ? audience.substring(2) : null;
        String origin = msg.getHeaders() == null ? null : msg.getHeaders().getFirst(BusHeaders.ORIGIN);
        Set<Member> members = sessions.get(session);
        if (members == null) {
            return;
        }
        Span span = telemetry.consumer("process rf.out", msg.getSubject(), msg.getHeaders())
                .setAttribute(Telemetry.SESSION, session)
                .setAttribute(Telemetry.PLAYER, player);
        try {
            JsonNode parsed;
            String text = new String(msg.getData(), StandardCharsets.UTF_8);
            try {
                parsed = Json.tree(msg.getData());
            } catch (RuntimeException e) {
                Telemetry.failed(span, e);
                LOG.log(Level.WARNING, "unreadable message on " + msg.getSubject(), e);
                return;
            }
            for (Member m : members) {
                if (player == null || (player.equals(m.player()) && (origin == null || origin.equals(m.connectionId())))) {
                    m.deliver(session, parsed, text);
                }
            }
        } finally {
            span.end();
        }
    }
}
