package io.nubo.control.console;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** Opens a byte stream to one VM's VNC server, ready for the RFB handshake. */
@FunctionalInterface
public interface VncConnector {
    SocketChannel open() throws IOException;

    /** A VNC server on a unix socket of this machine. */
    record UnixSocket(Path path) implements VncConnector {
        @Override
        public SocketChannel open() throws IOException {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(path));
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            return ch;
        }
    }
}
