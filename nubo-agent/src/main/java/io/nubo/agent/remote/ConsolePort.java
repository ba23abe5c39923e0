package io.nubo.agent.remote;

import io.nubo.core.agent.ConsoleProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The port a remote agent opens for the control plane, which reaches a host only for its VMs'
 * consoles: the serial console's tail, and the VNC console relayed byte for byte. The agent
 * announces the port and a random key (new at every start) over its authenticated channel; a
 * caller must present that key, compared in constant time, before anything else happens.
 *
 * <p>The wire format is {@link ConsoleProtocol}'s: {@code vnc} answers {@code OK} and then relays
 * both ways; {@code tail} (its arg is the most bytes wanted) answers {@code OK <n>} and the bytes.
 * Each connection is served on its own virtual thread. Thread-safe.
 */
public final class ConsolePort implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsolePort.class);
    private static final int MAX_TAIL = 1 << 20;
    private static final int REQUEST_TIMEOUT_MS = 5_000;
    private static final Pattern INSTANCE = Pattern.compile("i-[0-9a-f]{8,32}");

    /** What the port serves: this host's VMs' consoles. */
    public interface Consoles {
        /** The VM's VNC unix socket, if the VM is this host's and has one. */
        Optional<Path> vncSocket(String instanceId);

        /** The serial console's last {@code maxBytes}, if the VM is this host's. */
        Optional<byte[]> tail(String instanceId, int maxBytes);
    }

    private final ServerSocket socket;
    private final byte[] key;
    private final Consoles consoles;

    private ConsolePort(ServerSocket socket, byte[] key, Consoles consoles) {
        this.socket = socket;
        this.key = key.clone();
        this.consoles = consoles;
    }

    /** Listens on {@code bind} (port 0: any free one) and serves until closed. */
    public static ConsolePort open(InetSocketAddress bind, byte[] key, Consoles consoles) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(bind);
        ConsolePort port = new ConsolePort(s, key, consoles);
        Thread.ofVirtual().name("console-port").start(port::acceptLoop);
        return port;
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket c = socket.accept();
                Thread.ofVirtual().name("console-port-conn").start(() -> serve(c));
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.warn("console port: {}", e.toString());
                }
            }
        }
    }

    private void serve(Socket c) {
        try (c) {
            c.setSoTimeout(REQUEST_TIMEOUT_MS);
            InputStream in = c.getInputStream();
            OutputStream out = c.getOutputStream();
            String[] f = ConsoleProtocol.readLine(in).split(" ");
            if (f.length != 5 || !f[0].equals(ConsoleProtocol.MAGIC)) {
                refuse(out, "malformed request");
                return;
            }
            byte[] presented;
            try {
                presented = HexFormat.of().parseHex(f[4]);
            } catch (IllegalArgumentException e) {
                presented = new byte[0];
            }
            if (!MessageDigest.isEqual(presented, key)) {
                refuse(out, "not authorized");
                return;
            }
            String instanceId = f[2];
            if (!INSTANCE.matcher(instanceId).matches()) {
                refuse(out, "malformed instance ID");
                return;
            }
            switch (f[1]) {
                case "tail" -> tail(out, instanceId, f[3]);
                case "vnc" -> {
                    c.setSoTimeout(0);
                    vnc(in, out, instanceId);
                }
                default -> refuse(out, "unknown operation");
            }
        } catch (SocketTimeoutException e) {
            LOG.debug("console port: no request in time");
        } catch (IOException e) {
            LOG.debug("console port connection ended: {}", e.toString());
        }
    }

    private void tail(OutputStream out, String instanceId, String arg) throws IOException {
        int max;
        try {
            max = Integer.parseInt(arg);
        } catch (NumberFormatException e) {
            max = -1;
        }
        if (max < 1 || max > MAX_TAIL) {
            refuse(out, "the byte count must be 1 to " + MAX_TAIL);
            return;
        }
        Optional<byte[]> bytes = consoles.tail(instanceId, max);
        if (bytes.isEmpty()) {
            refuse(out, "no such VM here");
            return;
        }
        out.write(("OK " + bytes.get().length + "\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes.get());
        out.flush();
    }

    /** Both directions until either side closes: the caller's bytes to the VM on this thread, the VM's back on another. */
    private void vnc(InputStream in, OutputStream out, String instanceId) throws IOException {
        Optional<Path> path = consoles.vncSocket(instanceId).filter(Files::exists);
        if (path.isEmpty()) {
            refuse(out, "no such VM here");
            return;
        }
        try (SocketChannel vm = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            vm.connect(UnixDomainSocketAddress.of(path.get()));
            out.write("OK\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread back = Thread.ofVirtual().name("console-port-vnc").start(() -> {
                try {
                    Channels.newInputStream(vm).transferTo(out);
                } catch (IOException e) {
                    LOG.debug("VNC of {} to the caller ended: {}", instanceId, e.toString());
                } finally {
                    closeQuietly(in);
                }
            });
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                while (b.hasRemaining()) {
                    vm.write(b);
                }
            }
            vm.close();
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the connection is going anyway
        }
    }

    private static void refuse(OutputStream out, String why) throws IOException {
        out.write(("ERR " + why + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
