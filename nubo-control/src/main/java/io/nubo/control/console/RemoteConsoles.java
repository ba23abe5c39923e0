package io.nubo.control.console;

import io.nubo.control.identity.SecretBox;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.agent.ConsoleProtocol;
import io.nubo.store.Database;
import io.nubo.store.HostConsoles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Remote hosts' consoles, reached through the console port each agent announces (see
 * {@code ConsolePort} in the agent): the serial console's tail, and a stream to the VM's VNC
 * server. The port's key is kept sealed with the installation's secret key. Thread-safe.
 */
public final class RemoteConsoles {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteConsoles.class);
    private static final int CONNECT_TIMEOUT_MS = 3_000;
    private static final int READ_TIMEOUT_MS = 10_000;
    /** A host name, or an IPv4 or IPv6 address. */
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.:\\-\\[\\]%]{1,253}");
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{" + 2 * ConsoleProtocol.KEY_BYTES + "}");

    private final Database db;
    private final SecretBox box;
    private final Clock clock;

    public RemoteConsoles(Database db, SecretBox box, Clock clock) {
        this.db = db;
        this.box = box;
        this.clock = clock;
    }

    /** Records the console port a host's agent announced (replacing the last); a malformed one is refused and changes nothing. */
    public void announce(String hostId, String address, Integer port, String keyHex) {
        if (address == null || !ADDRESS.matcher(address).matches()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The console address must be a host name or an IP address");
        }
        if (port == null || port < 1 || port > 65535) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The console port must be 1 to 65535");
        }
        if (keyHex == null || !KEY.matcher(keyHex).matches()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The console key must be %d lowercase hex digits",
                    2 * ConsoleProtocol.KEY_BYTES);
        }
        db.inTransaction(s -> {
            new HostConsoles(s.handle()).put(hostId, address, port, box.seal(keyHex), clock.instant());
            return null;
        });
    }

    /** The serial console's last {@code maxBytes} of a VM on a remote host; empty when the host has no console port or cannot be reached. */
    public Optional<byte[]> tail(String hostId, String instanceId, int maxBytes) {
        Optional<Target> t = target(hostId);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        try (Socket s = new Socket()) {
            s.connect(t.get().address(), CONNECT_TIMEOUT_MS);
            s.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            out.write(ConsoleProtocol.request("tail", instanceId, Integer.toString(maxBytes), t.get().key()));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = ConsoleProtocol.readLine(in);
            if (!answer.startsWith("OK ")) {
                LOG.info("host {} has no console for {}: {}", hostId, instanceId, answer);
                return Optional.empty();
            }
            int n = Integer.parseInt(answer.substring(3).trim());
            if (n < 0 || n > maxBytes) {
                throw new IOException("the host answered with " + n + " bytes for at most " + maxBytes);
            }
            return Optional.of(in.readNBytes(n));
        } catch (IOException | NumberFormatException e) {
            LOG.info("cannot read the console of {} on host {}: {}", instanceId, hostId, e.toString());
            return Optional.empty();
        }
    }

    /** The way to the VNC server of a VM on a remote host; empty when the host has no console port. */
    public Optional<VncConnector> vnc(String hostId, String instanceId) {
        return target(hostId).map(t -> () -> openVnc(t, instanceId));
    }

    private static SocketChannel openVnc(Target t, String instanceId) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.socket().connect(t.address(), CONNECT_TIMEOUT_MS);
            ByteBuffer request = ByteBuffer.wrap(ConsoleProtocol.request("vnc", instanceId, "-", t.key()));
            while (request.hasRemaining()) {
                ch.write(request);
            }
            // Byte by byte, so that the first bytes of the VNC stream stay in the channel for the relay.
            String answer = ConsoleProtocol.readLine(Channels.newInputStream(ch));
            if (!answer.equals("OK")) {
                throw new IOException("the host refused the console: " + answer);
            }
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    private record Target(InetSocketAddress address, byte[] key) {
    }

    private Optional<Target> target(String hostId) {
        return db.read(s -> new HostConsoles(s.handle()).find(hostId))
                .map(p -> new Target(new InetSocketAddress(p.address(), p.port()), HexFormat.of().parseHex(box.open(p.keySealed()))));
    }
}
