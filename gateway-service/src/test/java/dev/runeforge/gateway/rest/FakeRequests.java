package dev.runeforge.gateway.rest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;

/**
 * A hand-written fake of the request-reply port: each subject answers with a handler of the request's JSON;
 * requests and replies pass through JSON as on the wire. A subject without a handler is a service that is down.
 */
public final class FakeRequests implements Requests {
    public record Sent(String subject, JsonNode body) {
    }

    private final Map<String, Function<JsonNode, Object>> handlers = new ConcurrentHashMap<>();
    public final List<Sent> sent = new CopyOnWriteArrayList<>();

    public FakeRequests on(String subject, Function<JsonNode, Object> handler) {
        handlers.put(subject, handler);
        return this;
    }

    @Override
    public <T> T request(String subject, Object body, Class<T> type) {
        JsonNode request = Json.tree(Json.bytes(body));
        sent.add(new Sent(subject, request));
        Function<JsonNode, Object> handler = handlers.get(subject);
        if (handler == null) {
            throw new RpcException(ErrorCodes.UNAVAILABLE, "no service answers " + subject);
        }
        return Json.read(Json.bytes(handler.apply(request)), type);
    }
}
