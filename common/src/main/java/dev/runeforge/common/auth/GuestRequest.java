package dev.runeforge.common.auth;

/** {@code rf.auth.guest} request: a display name, validated by auth-service. */
public record GuestRequest(String name) {
}
