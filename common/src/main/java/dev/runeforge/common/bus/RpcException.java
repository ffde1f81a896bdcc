package dev.runeforge.common.bus;

import java.util.Objects;

/** A typed failure of a request-reply call: {@code code} is one of the protocol's error codes. */
public final class RpcException extends RuntimeException {
    private final String code;

    public RpcException(String code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code);
    }

    public String code() {
        return code;
    }
}
