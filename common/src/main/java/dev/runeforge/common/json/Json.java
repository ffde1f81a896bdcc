package dev.runeforge.common.json;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one JSON mapping every service uses, so the wire format cannot drift between them. */
public final class Json {
    /**
     * Jackson's default buffer recycling keeps a parser's and a generator's buffers (about 16 KB) in a ThreadLocal
     * of each thread. Our JSON runs on virtual threads (a socket's reader, a session's mailbox): every gateway
     * socket held its own set for as long as it lived (130 MB of char[] at 8,000 sockets, the heap full and
     * collected again and again), and every short-lived game-instance thread allocated a fresh set. One pool
     * shared by all threads instead (docs/performance.md, "Where the tail went").
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private Json() {
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static String text(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Parses JSON; malformed input or a failed record validation surfaces as {@link IllegalArgumentException}. */
    public static <T> T read(byte[] data, Class<T> type) {
        try {
            return MAPPER.readValue(data, type);
        } catch (IOException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
    }

    public static <T> T read(String data, Class<T> type) {
        try {
            return MAPPER.readValue(data, type);
        } catch (IOException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
    }

    public static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (IOException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
    }

    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static JsonNode tree(byte[] data) {
        try {
            return MAPPER.readTree(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A message fit for a client: what is wrong and where (a field's path), in words, without Jackson's wording,
     * its source locations or any Java class name. A record's own validation message is kept as it is.
     */
    static String describe(IOException e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if ((t instanceof IllegalArgumentException || t instanceof NullPointerException) && t.getMessage() != null
                && !internal(t.getMessage())) {
            return t.getMessage();
        }
        String at = e instanceof JsonMappingException m ? path(m) : "";
        String where = at.isEmpty() ? "" : "'" + at + "' ";
        if (t instanceof InputCoercionException) {
            return where.isEmpty() ? "a number is out of range" : where + "is out of range";
        }
        return switch (e) {
            case InvalidTypeIdException i when i.getTypeId() == null || i.getTypeId().isEmpty() ->
                    at.isEmpty() ? "a message must be a JSON object with a 'type'" : where + "needs a 'type'";
            case InvalidTypeIdException i -> "unknown type '" + printable(i.getTypeId()) + "'";
            case UnrecognizedPropertyException u -> "unknown field '" + printable(u.getPropertyName()) + "'";
            case InputCoercionException c -> where.isEmpty() ? "a number is out of range" : where + "is out of range";
            case MismatchedInputException m when m.getTargetType() != null ->
                    (where.isEmpty() ? "the message " : where) + "must be " + kind(m.getTargetType());
            case JsonMappingException m -> (where.isEmpty() ? "the message " : where) + "has the wrong type";
            case StreamReadException r -> "not valid JSON";
            default -> "unreadable JSON";
        };
    }

    /** A JDK or library message (helpful NullPointerExceptions, enum look-ups): it names code, not the input. */
    private static boolean internal(String message) {
        return message.contains("dev.runeforge.") || message.contains("java.") || message.contains("com.fasterxml")
                || message.startsWith("Cannot ") || message.contains("because \"");
    }

    /** A field path as the client wrote it: {@code resume.lastSeq}, {@code body.units[2]}. */
    private static String path(JsonMappingException m) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(printable(r.getFieldName()));
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    /** What a Java type is called in JSON words. */
    private static String kind(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class || type == byte.class || type == Byte.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class
                || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == String.class || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> "'" + c.toString().toLowerCase(java.util.Locale.ROOT) + "'")
                    .collect(java.util.stream.Collectors.joining(", "));
        }
        return "an object";
    }

    /** Echoes a client's name back at most 40 characters long, printable ASCII only. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 40; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
        }
        return b.toString();
    }
}
