package dev.runeforge.auth.guest;

import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.player.DisplayNames;
import dev.runeforge.common.protocol.ErrorCodes;

/** A guest's display name: the platform's one rule ({@link DisplayNames}), refused as {@code INVALID_NAME}. */
public final class GuestNames {
    public static final int MAX_LENGTH = DisplayNames.MAX_LENGTH;

    private GuestNames() {
    }

    public static String validate(String raw) {
        try {
            return DisplayNames.validate(raw);
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCodes.INVALID_NAME, e.getMessage());
        }
    }
}
