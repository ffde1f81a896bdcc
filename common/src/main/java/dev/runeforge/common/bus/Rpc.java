package dev.runeforge.common.bus;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.telemetry.Telemetry;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.service.Endpoint;
import io.nats.service.Group;
import io.nats.service.ServiceEndpoint;
import io.nats.service.ServiceMessage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

/**
 * JSON request-reply over the NATS Service API. A handler's {@link RpcException} (or any other failure) is
 * answered as a standard service error plus a JSON body {@code {"error":{"code","message"}}}, so a caller never
 * hangs and always gets a typed code. Requests and answers are traced with the tracing bound to the connection
 * ({@link Telemetry#of(Connection)}): a CLIENT span whose context travels in the request's headers, and a SERVER
 * span under it on the answering side.
 */
public final class Rpc {
    private static final Logger LOG = Logger.getLogger(Rpc.class.getName());
    static final String ERROR_CODE_HEADER = "Rf-Error-Code";

    private Rpc() {
    }

    /** An endpoint named {@code name} in {@code group} (subject {@code <group>.<name>}) answering JSON. */
    public static ServiceEndpoint endpoint(Connection nc, Group group, String name, Function<byte[], Object> handler) {
        Telemetry telemetry = Telemetry.of(nc);
        return ServiceEndpoint.builder()
                .group(group)
                .endpoint(Endpoint.builder().name(name).build())
                .handler(msg -> answer(nc, telemetry, msg, handler))
                .build();
    }

    /**
     * As {@link #endpoint}, but each request is answered on a virtual thread of its own: for handlers that may
     * block (a database that stopped answering), so that one slow request holds up neither the next ones nor the
     * service's other endpoints, which share the service's dispatcher.
     */
    public static ServiceEndpoint blockingEndpoint(Connection nc, Group group, String name, Function<byte[], Object> handler) {
        return blockingEndpoint(nc, group, name, name, handler);
    }

    /**
     * As {@link #blockingEndpoint(Connection, Group, String, Function)} on subject {@code <group>.<subject>}, under
     * the endpoint name {@code name}. A service keeps its endpoints by name, so two groups of one service with the
     * same last word (permalink.get, saves.get) need distinct names, or the later one silently replaces the other.
     */
    public static ServiceEndpoint blockingEndpoint(Connection nc, Group group, String name, String subject,
                                                   Function<byte[], Object> handler) {
        Telemetry telemetry = Telemetry.of(nc);
        return ServiceEndpoint.builder()
                .group(group)
                .endpoint(Endpoint.builder().name(name).subject(subject).build())
                .handler(msg -> Thread.ofVirtual().name("rpc-" + name).start(() -> answer(nc, telemetry, msg, handler)))
                .build();
    }

    /**
     * Whether a request's reply subject is an inbox. NATS lets a responder ({@code reply} in the permission table)
     * publish its one answer to whatever reply subject the requester named, even where the responder may not
     * publish otherwise; answering only inboxes keeps a requester from aiming our answer at, say, the event log.
     */
    static boolean answerable(String replyTo) {
        return replyTo != null && replyTo.startsWith("_INBOX.");
    }

    private static void answer(Connection nc, Telemetry telemetry, ServiceMessage msg, Function<byte[], Object> handler) {
        if (!answerable(msg.getReplyTo())) {
            LOG.warning(() -> "not answering a request on " + msg.getSubject() + ": its reply subject is not an inbox ("
                    + msg.getReplyTo() + ")");
            return;
        }
        Span span = telemetry.server(msg.getSubject(), msg.getHeaders());
        try (Scope scope = span.makeCurrent()) {
            Object reply = handler.apply(msg.getData());
            msg.respond(nc, Json.bytes(reply));
        } catch (RpcException e) {
            span.setAttribute(Telemetry.ERROR_TYPE, e.code());
            respondError(nc, msg, e.code(), e.getMessage(), 400);
        } catch (IllegalArgumentException e) {
            span.setAttribute(Telemetry.ERROR_TYPE, ErrorCodes.BAD_MESSAGE);
            respondError(nc, msg, ErrorCodes.BAD_MESSAGE, e.getMessage(), 400);
        } catch (RuntimeException e) {
            Telemetry.failed(span, e);
            LOG.log(Level.WARNING, "request on " + msg.getSubject() + " failed", e);
            respondError(nc, msg, ErrorCodes.INTERNAL, "internal error", 500);
        } finally {
            span.end();
        }
    }

    private static void respondError(Connection nc, ServiceMessage msg, String code, String message, int status) {
        Headers headers = new Headers()
                .put(ServiceMessage.NATS_SERVICE_ERROR, message == null ? code : message)
                .put(ServiceMessage.NATS_SERVICE_ERROR_CODE, Integer.toString(status))
                .put(ERROR_CODE_HEADER, code);
        msg.respond(nc, Json.bytes(java.util.Map.of("error", java.util.Map.of("code", code,
                "message", message == null ? code : message))), headers);
    }

    /** Sends {@code request} as JSON and reads the reply as {@code type}; failures become {@link RpcException}. */
    public static <T> T request(Connection nc, String subject, Object request, Class<T> type, Duration timeout) {
        Telemetry telemetry = Telemetry.of(nc);
        Span span = telemetry.client(subject);
        try (Scope scope = span.makeCurrent()) {
            return request(nc, telemetry.inject(span, null), subject, request, type, timeout);
        } catch (RpcException e) {
            span.setAttribute(Telemetry.ERROR_TYPE, e.code());
            if (ErrorCodes.UNAVAILABLE.equals(e.code()) || ErrorCodes.INTERNAL.equals(e.code())) {
                span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR);
            }
            throw e;
        } catch (RuntimeException e) {
            Telemetry.failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    private static <T> T request(Connection nc, Headers traceHeaders, String subject, Object request, Class<T> type,
                                 Duration timeout) {
        CompletableFuture<Message> future;
        try {
            future = traceHeaders == null ? nc.request(subject, Json.bytes(request))
                    : nc.request(subject, traceHeaders, Json.bytes(request));
        } catch (IllegalStateException e) {
            // jnats refuses to queue more when its output queue is full or held too long (a bus that cannot keep
            // up), and when the connection is closed: the service is unavailable for now, not broken.
            throw new RpcException(ErrorCodes.UNAVAILABLE, "the bus did not take the request to " + subject + ": "
                    + e.getMessage());
        }
        Message reply;
        try {
            reply = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new RpcException(ErrorCodes.UNAVAILABLE, "no answer from " + subject + " within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException(ErrorCodes.UNAVAILABLE, "interrupted");
        } catch (java.util.concurrent.CancellationException | ExecutionException e) {
            // jnats cancels the future (or completes it exceptionally) when no responder is subscribed.
            throw new RpcException(ErrorCodes.UNAVAILABLE, "no service answers " + subject);
        }
        if (reply.isStatusMessage()) {
            throw new RpcException(ErrorCodes.UNAVAILABLE, "no service answers " + subject);
        }
        Headers headers = reply.getHeaders();
        if (headers != null && headers.containsKey(ServiceMessage.NATS_SERVICE_ERROR)) {
            String code = headers.getFirst(ERROR_CODE_HEADER);
            JsonNode body = Json.tree(reply.getData());
            String message = body.path("error").path("message").asText(headers.getFirst(ServiceMessage.NATS_SERVICE_ERROR));
            throw new RpcException(code == null ? ErrorCodes.INTERNAL : code, message);
        }
        return Json.read(reply.getData(), type);
    }
}
