package io.nubo.agent.qemu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The host port forwarded to a VM's SSH (user networking). The port is chosen once and kept in
 * the instance directory, so the VM keeps it across stops, starts and agent restarts.
 */
final class SshPorts {
    private SshPorts() {
    }

    static OptionalInt recorded(Path dir) {
        try {
            Path f = dir.resolve("ssh-port");
            return Files.exists(f) ? OptionalInt.of(Integer.parseInt(Files.readString(f).trim())) : OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** The recorded port if it is free now, else a new free one on 127.0.0.1, recorded. */
    static int choose(Path dir) {
        OptionalInt old = recorded(dir);
        int port = old.isPresent() && isFree(old.getAsInt()) ? old.getAsInt() : freePort();
        try {
            Files.writeString(dir.resolve("ssh-port"), Integer.toString(port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return port;
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port free on 127.0.0.1 now (another process may take it before it is used; a launch then fails and is retried). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
