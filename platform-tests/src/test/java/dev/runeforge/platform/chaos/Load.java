package dev.runeforge.platform.chaos;

import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's load average, printed beside every figure (the box is shared). */
final class Load {
    private Load() {
    }

    static String now() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2] + " on " + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (Exception e) {
            return "unknown";
        }
    }
}
