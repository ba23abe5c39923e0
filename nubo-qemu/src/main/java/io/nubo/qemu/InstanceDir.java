package io.nubo.qemu;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The files of one instance's directory on its host: everything QEMU needs and leaves there.
 * Immutable.
 */
public record InstanceDir(Path dir) {
    /**
     * A unix socket path is limited to 108 bytes including its terminating NUL ({@code sun_path}),
     * and QEMU refuses longer ones; checking here gives a clear error before launch.
     */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    public InstanceDir {
        if (!dir.isAbsolute()) {
            throw new IllegalArgumentException("instance directory must be absolute: " + dir);
        }
        dir = dir.normalize();
        String text = dir.toString();
        // A comma would end a QEMU option value (e.g. in -qmp unix:<path>,server=on), a newline would break the cmdline file.
        if (text.indexOf(',') >= 0 || text.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("instance directory must not contain commas or control characters: " + text);
        }
        int longest = Math.max("qmp.sock".length(), "vnc.sock".length()) + 1;
        if (text.getBytes(StandardCharsets.UTF_8).length + longest > MAX_SOCKET_PATH_BYTES) {
            throw new IllegalArgumentException("instance directory too long for a unix socket path (max "
                    + (MAX_SOCKET_PATH_BYTES - longest) + " bytes): " + text);
        }
    }

    public Path qmpSocket() {
        return dir.resolve("qmp.sock");
    }

    public Path vncSocket() {
        return dir.resolve("vnc.sock");
    }

    /** The guest's serial console; appended to across restarts. */
    public Path serialLog() {
        return dir.resolve("serial.log");
    }

    /** Written by QEMU once it has daemonized; QEMU removes it when it exits cleanly, but not when killed. */
    public Path pidFile() {
        return dir.resolve("qemu.pid");
    }

    /** The exact argv of the last launch, one argument per line. */
    public Path cmdlineFile() {
        return dir.resolve("cmdline");
    }

    /** What the launcher printed before daemonizing (after that, QEMU's own stderr goes to /dev/null). */
    public Path launchLog() {
        return dir.resolve("launch.log");
    }
}
