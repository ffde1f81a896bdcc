package dev.runeforge.gateway.rest;

import java.util.Objects;

import io.helidon.http.Status;

/** A refusal of a REST request: answered as {@code {code, message}} with {@code status} by {@link Api}. */
public final class ApiException extends RuntimeException {
    private final transient Status status;
    private final String code;

    public ApiException(Status status, String code, String message) {
        super(Objects.requireNonNull(message));
        this.status = Objects.requireNonNull(status);
        this.code = Objects.requireNonNull(code);
    }

    public Status status() {
        return status;
    }

    public String code() {
        return code;
    }
}
