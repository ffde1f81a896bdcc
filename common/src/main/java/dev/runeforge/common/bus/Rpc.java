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
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.service.Endpoint;
import io.nats.service.Group;
import io.nats.service.ServiceEndpoint;
import io.nats.service.ServiceMessage;

/**
 * JSON request-reply over the NATS Service API. A handler's {@link RpcException} (or any other failure) is
 * answered as a standard service error plus a JSON body {@code {"error":{"code","message"}}}, so a caller never
 * hangs and always gets a typed code.
 */
public final class Rpc {
    private static final Logger LOG = Logger.getLogger(Rpc.class.getName());
    static final String ERROR_CODE_HEADER = "Rf-Error-Code";

    private Rpc() {
    }

    /** An endpoint named {@code name} in {@code group} (subject {@code <group>.<name>}) answering JSON. */
    public static ServiceEndpoint endpoint(Connection nc, Group group, String name, Function<byte[], Object> handler) {
        return ServiceEndpoint.builder()
                .group(group)
                .endpoint(Endpoint.builder().name(name).build())
                .handler(msg -> answer(nc, msg, handler))
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
     * As {@link #blockingEndpoint(Connection, Group, String, Function)} on subject {@code <group>.<subject>}, with
     * the endpoint named {@code name}. Endpoint names must be unique within a service (jnats keeps one endpoint
     * per name and silently drops the others), so two groups of one service that both have a {@code get} need
     * this.
     */
    public static ServiceEndpoint blockingEndpoint(Connection nc, Group group, String name, String subject,
                                                   Function<byte[], Object> handler) {
        return ServiceEndpoint.builder()
                .group(group)
                .endpoint(Endpoint.builder().name(name).subject(subject).build())
                .handler(msg -> Thread.ofVirtual().name("rpc-" + name).start(() -> answer(nc, msg, handler)))
                .build();
    }

    private static void answer(Connection nc, ServiceMessage msg, Function<byte[], Object> handler) {
        try {
            Object reply = handler.apply(msg.getData());
            msg.respond(nc, Json.bytes(reply));
        } catch (RpcException e) {
            respondError(nc, msg, e.code(), e.getMessage(), 400);
        } catch (IllegalArgumentException e) {
            respondError(nc, msg, ErrorCodes.BAD_MESSAGE, e.getMessage(), 400);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request on " + msg.getSubject() + " failed", e);
            respondError(nc, msg, ErrorCodes.INTERNAL, "internal error", 500);
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
        CompletableFuture<Message> future = nc.request(subject, Json.bytes(request));
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
