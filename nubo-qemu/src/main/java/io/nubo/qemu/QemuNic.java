package io.nubo.qemu;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A network interface of a VM. Closed set: one record per network backend. */
public sealed interface QemuNic {
    /** The guest's MAC address, {@code 52:54:00:xx:xx:xx}. */
    String mac();

    /**
     * QEMU's user-mode network (slirp): needs no root, and reaches the guest's SSH through a host
     * port forward bound to 127.0.0.1 only. With an {@code address}, the slirp network is that
     * address's subnet and its DHCP gives the guest exactly that address; without, QEMU's default
     * (10.0.2.15). Immutable.
     */
    record User(String mac, int sshHostPort, GuestAddress address) implements QemuNic {
        private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

        public User {
            if (!MAC.matcher(mac).matches()) {
                throw new IllegalArgumentException("not a lower-case MAC address: " + mac);
            }
            if (sshHostPort < 1 || sshHostPort > 65535) {
                throw new IllegalArgumentException("not a TCP port: " + sshHostPort);
            }
        }

        public User(String mac, int sshHostPort) {
            this(mac, sshHostPort, null);
        }

        /** A NIC whose MAC is derived from the instance ID, so it stays the same across restarts. */
        public static User forInstance(String instanceId, int sshHostPort) {
            return new User(macFor(instanceId), sshHostPort, null);
        }

        /** As {@link #forInstance(String, int)}, with the guest's address (null: QEMU's default network). */
        public static User forInstance(String instanceId, int sshHostPort, GuestAddress address) {
            return new User(macFor(instanceId), sshHostPort, address);
        }
    }

    /** {@code 52:54:00} (QEMU's locally administered prefix) and three bytes of SHA-256 of the instance ID. */
    static String macFor(String instanceId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(instanceId.getBytes(StandardCharsets.UTF_8));
            return "52:54:00:" + HexFormat.ofDelimiter(":").formatHex(hash, 0, 3);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
