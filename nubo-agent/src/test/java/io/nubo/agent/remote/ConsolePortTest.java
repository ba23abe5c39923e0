package io.nubo.agent.remote;

import io.nubo.core.agent.ConsoleProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent's console port: nothing without the key, then the serial tail and the VNC stream of this host's VMs only. */
class ConsolePortTest {
    private static final String VM = "i-0123456789abcdef0";
    private static final byte[] KEY = new byte[ConsoleProtocol.KEY_BYTES];

    static {
        Arrays.fill(KEY, (byte) 7);
    }

    @Test
    void servesTheTailAndTheVncStreamOfItsOwnVmsToACallerWithTheKeyAndNothingToOthers(@TempDir Path dir) throws Exception {
        Path vnc = dir.resolve("vnc.sock");
        try (ServerSocketChannel vncServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            vncServer.bind(UnixDomainSocketAddress.of(vnc));
            // A VNC server's first words, then an echo of whatever the client sends.
            Thread.ofVirtual().start(() -> {
                try (SocketChannel c = vncServer.accept()) {
                    c.write(ByteBuffer.wrap("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII)));
                    ByteBuffer b = ByteBuffer.allocate(64);
                    while (c.read(b) > 0) {
                        b.flip();
                        c.write(b);
                        b.clear();
                    }
                } catch (IOException ignored) {
                    // the test closed it
                }
            });
            ConsolePort.Consoles consoles = new ConsolePort.Consoles() {
                @Override
                public Optional<Path> vncSocket(String instanceId) {
                    return instanceId.equals(VM) ? Optional.of(vnc) : Optional.empty();
                }

                @Override
                public Optional<byte[]> tail(String instanceId, int maxBytes) {
                    byte[] all = "boot...\nlogin: ".getBytes(StandardCharsets.US_ASCII);
                    return instanceId.equals(VM) ? Optional.of(Arrays.copyOfRange(all, Math.max(0, all.length - maxBytes), all.length))
                            : Optional.empty();
                }
            };
            try (ConsolePort port = ConsolePort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), KEY, consoles)) {
                byte[] wrongKey = KEY.clone();
                wrongKey[0] ^= 1;
                assertThat(answer(port, ConsoleProtocol.request("tail", VM, "100", wrongKey))).isEqualTo("ERR not authorized");
                assertThat(answer(port, ConsoleProtocol.request("tail", VM, "100", new byte[3]))).isEqualTo("ERR not authorized");
                assertThat(answer(port, "GET / HTTP/1.1\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo("ERR malformed request");
                assertThat(answer(port, ConsoleProtocol.request("tail", "../../etc", "100", KEY))).isEqualTo("ERR malformed instance ID");
                assertThat(answer(port, ConsoleProtocol.request("tail", "i-0000000000000000f", "100", KEY))).isEqualTo("ERR no such VM here");
                assertThat(answer(port, ConsoleProtocol.request("tail", VM, "0", KEY))).startsWith("ERR the byte count must be");
                assertThat(answer(port, ConsoleProtocol.request("shell", VM, "-", KEY))).isEqualTo("ERR unknown operation");
                assertThat(answer(port, ConsoleProtocol.request("vnc", "i-0000000000000000f", "-", KEY))).isEqualTo("ERR no such VM here");

                try (Socket s = connect(port, ConsoleProtocol.request("tail", VM, "7", KEY))) {
                    InputStream in = s.getInputStream();
                    assertThat(ConsoleProtocol.readLine(in)).isEqualTo("OK 7");
                    assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("login: ");
                }
                try (Socket s = connect(port, ConsoleProtocol.request("vnc", VM, "-", KEY))) {
                    InputStream in = s.getInputStream();
                    assertThat(ConsoleProtocol.readLine(in)).isEqualTo("OK");
                    assertThat(ConsoleProtocol.readLine(in)).isEqualTo("RFB 003.008");
                    s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(ConsoleProtocol.readLine(in)).isEqualTo("ping");
                }
            }
        }
    }

    private static Socket connect(ConsolePort port, byte[] request) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port.port());
        s.setSoTimeout(10_000);
        s.getOutputStream().write(request);
        return s;
    }

    private static String answer(ConsolePort port, byte[] request) throws IOException {
        try (Socket s = connect(port, request)) {
            return ConsoleProtocol.readLine(s.getInputStream());
        }
    }
}
