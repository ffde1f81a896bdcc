package dev.runeforge.auth.guest;

import java.util.regex.Pattern;

import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.protocol.ErrorCodes;

/** Display names: 1-20 letters, digits and spaces after trimming; inner runs of spaces fold to one. */
public final class GuestNames {
    public static final int MAX_LENGTH = 20;
    private static final Pattern ALLOWED = Pattern.compile("[\\p{L}\\p{N} ]+");

    private GuestNames() {
    }

    public static String validate(String raw) {
        if (raw == null) {
            throw new RpcException(ErrorCodes.INVALID_NAME, "a name is required");
        }
        String name = raw.strip().replaceAll(" {2,}", " ");
        if (name.isEmpty()) {
            throw new RpcException(ErrorCodes.INVALID_NAME, "a name is required");
        }
        if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
            throw new RpcException(ErrorCodes.INVALID_NAME, "a name has at most " + MAX_LENGTH + " characters");
        }
        if (!ALLOWED.matcher(name).matches()) {
            throw new RpcException(ErrorCodes.INVALID_NAME, "a name may hold only letters, digits and spaces");
        }
        return name;
    }
}
