package io.nubo.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads what Linux's /proc says about a process. Stateless and thread-safe. */
final class ProcFs {
    private static final Path PROC = Path.of("/proc");

    private ProcFs() {
    }

    /**
     * The process's start time (clock ticks since boot), if it is alive. A zombie counts as dead:
     * a daemonized QEMU's parent is init, which here reaps only every few seconds, and a killed
     * VM must not look alive meanwhile. Together with the pid, the start time names a process
     * uniquely, so a pid the kernel reused is told apart.
     */
    static OptionalLong startTimeIfAlive(long pid) {
        String stat;
        try {
            stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            return OptionalLong.empty();
        }
        String[] fields = stat.substring(end + 2).split(" ");
        // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
        if (fields.length < 20) {
            return OptionalLong.empty();
        }
        String state = fields[0];
        if (state.equals("Z") || state.equals("X") || state.equals("x")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(fields[19]));
    }

    /** The process's argv, if it is readable. */
    static Optional<List<String>> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            if (raw.length == 0) {
                return Optional.empty();
            }
            String text = new String(raw, StandardCharsets.UTF_8);
            if (text.endsWith("\0")) {
                text = text.substring(0, text.length() - 1);
            }
            return Optional.of(Arrays.asList(text.split("\0", -1)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
