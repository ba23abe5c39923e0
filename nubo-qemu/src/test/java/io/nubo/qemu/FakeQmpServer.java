package io.nubo.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted QMP server on a unix socket, for testing {@link QmpClient} without QEMU. It accepts
 * one connection, greets (unless told not to), answers {@code qmp_capabilities} itself, and queues
 * every other request for the test, which answers with {@link #send}. Thread-safe.
 */
final class FakeQmpServer implements AutoCloseable {
    static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"fake\"}, \"capabilities\": [\"oob\"]}}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerSocketChannel server;
    private final BlockingQueue<JsonNode> requests = new LinkedBlockingQueue<>();
    private volatile SocketChannel connection;

    FakeQmpServer(Path socket, boolean greet) throws IOException {
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().name("fake-qmp").start(() -> serve(greet));
    }

    private void serve(boolean greet) {
        try {
            connection = server.accept();
            if (greet) {
                send(GREETING);
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(connection), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode request = JSON.readTree(line);
                if (request.path("execute").asText().equals("qmp_capabilities")) {
                    send("{\"return\": {}, \"id\": " + request.get("id") + "}");
                } else {
                    requests.add(request);
                }
            }
        } catch (IOException e) {
            // The test closed the connection or the server.
        }
    }

    /** The next request the client sent, other than {@code qmp_capabilities}. */
    JsonNode nextRequest() throws InterruptedException {
        JsonNode request = requests.poll(10, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("no request within 10 s");
        }
        return request;
    }

    boolean noRequestWithin(Duration wait) throws InterruptedException {
        return requests.poll(wait.toMillis(), TimeUnit.MILLISECONDS) == null;
    }

    /** Sends one line (a newline is added) as QEMU would, with CRLF. */
    void send(String json) throws IOException {
        // Sends go out as one write each; QEMU writes CRLF-terminated lines.
        ByteBuffer bytes = ByteBuffer.wrap((json + "\r\n").getBytes(StandardCharsets.UTF_8));
        synchronized (this) {
            while (bytes.hasRemaining()) {
                connection.write(bytes);
            }
        }
    }

    /** Sends bytes as they are, with no line ending added: for testing framing. */
    void sendRaw(String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        synchronized (this) {
            while (bytes.hasRemaining()) {
                connection.write(bytes);
            }
        }
    }

    void reply(JsonNode request, String returnJson) throws IOException {
        send("{\"return\": " + returnJson + ", \"id\": " + request.get("id") + "}");
    }

    void event(String name, String dataJson) throws IOException {
        send("{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 250000}, \"event\": \"" + name + "\""
                + (dataJson == null ? "" : ", \"data\": " + dataJson) + "}");
    }

    /** Drops the client's connection, as QEMU's exit does. */
    void closeConnection() throws IOException {
        connection.close();
    }

    @Override
    public void close() throws IOException {
        SocketChannel current = connection;
        if (current != null) {
            current.close();
        }
        server.close();
    }
}
