package io.nubo.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A client for one QEMU's QMP socket: it connects, reads the greeting, negotiates capabilities,
 * runs commands and routes asynchronous events to listeners.
 *
 * <p>A QMP socket serves one client at a time, so one agent owns it. While another client is
 * connected, QEMU accepts the connection but sends no greeting, so {@link #connect} times out;
 * once that client is gone (e.g. the old agent process died), a new client connects normally.
 *
 * <p><b>Thread-safety.</b> Thread-safe. Writes are serialised under a lock, so concurrent
 * callers' commands form a queue on the wire; QEMU runs one monitor's commands in order. Each
 * command carries a unique {@code id} and its caller waits for the reply with that id, read by a
 * background virtual thread, so a late reply to a command that already timed out is dropped and
 * never answers the next one. Listeners run on one dispatcher virtual thread, in the order QEMU
 * sent the events, and never on the reader: a listener may itself run commands. Close
 * listeners run after every event read before the close.
 */
public final class QmpClient implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(QmpClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** query-qmp-schema, the largest reply QEMU sends, is well under 1 MiB; this only bounds a broken peer. */
    private static final int MAX_MESSAGE_BYTES = 32 << 20;
    private static final String GREETING = "greeting";

    private final Path socket;
    private final SocketChannel channel;
    private final Duration defaultTimeout;
    private final AtomicLong ids = new AtomicLong();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final CopyOnWriteArrayList<EventListener> eventListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService dispatcher;
    // Guards disconnect and closeListeners together, so a close listener fires exactly once.
    private final ReentrantLock stateLock = new ReentrantLock();
    private final List<Consumer<QmpDisconnect>> closeListeners = new ArrayList<>();
    private volatile QmpDisconnect disconnect;
    private volatile boolean closing;

    private record Pending(String command, CompletableFuture<JsonNode> reply) {
    }

    private record EventListener(Predicate<QmpEvent> match, Consumer<QmpEvent> listener) {
    }

    /** Completes a pending reply when the connection goes; the caller turns it into a {@link QmpClosedException}. */
    private static final class Gone extends RuntimeException {
        Gone() {
            super(null, null, false, false);
        }
    }

    /** Undoes a listener registration. Closing it twice is harmless. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private QmpClient(Path socket, SocketChannel channel, Duration defaultTimeout) {
        this.socket = socket;
        this.channel = channel;
        this.defaultTimeout = defaultTimeout;
        this.dispatcher = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("qmp-events-" + socket.getFileName()).factory());
    }

    /** Connects with {@link #DEFAULT_TIMEOUT} for the handshake and for every command. */
    public static QmpClient connect(Path socket) {
        return connect(socket, DEFAULT_TIMEOUT);
    }

    /**
     * Connects to {@code socket}, waits for the greeting and runs {@code qmp_capabilities}, each
     * within {@code timeout}, which is also the default timeout of later commands.
     *
     * @throws QmpClosedException when nothing listens on the socket (QEMU is not running)
     * @throws QmpTimeoutException when no greeting comes (another client holds the socket)
     */
    public static QmpClient connect(Path socket, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new QmpClosedException("connect", "cannot open a unix socket: " + e.getMessage(), e);
        }
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new QmpClosedException("connect", "cannot connect to " + socket + ": " + e, e);
        }
        QmpClient client = new QmpClient(socket, channel, timeout);
        Thread.ofVirtual().name("qmp-reader-" + socket.getFileName()).start(client::readLoop);
        try {
            client.await(GREETING, client.greeting, timeout,
                    "no greeting within " + timeout.toMillis() + " ms; is another client connected to " + socket + "?");
            client.execute("qmp_capabilities", timeout);
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** The greeting's {@code QMP} object: QEMU's version and capabilities. */
    public JsonNode greeting() {
        return greeting.getNow(JsonNodeFactory.instance.objectNode()).path("QMP");
    }

    public Path socket() {
        return socket;
    }

    /** Whether the connection is still up: not closed by {@link #close()} nor by QEMU. */
    public boolean isOpen() {
        return disconnect == null;
    }

    /** Runs a command without arguments, within the default timeout, and returns its {@code return} value. */
    public JsonNode execute(String command) {
        return call(command, null, defaultTimeout);
    }

    /** Runs a command without arguments within {@code timeout}. */
    public JsonNode execute(String command, Duration timeout) {
        return call(command, null, timeout);
    }

    /**
     * Runs a command with {@code arguments} (a {@code Map}, a record or a {@link JsonNode}, turned
     * into a JSON object by Jackson; QMP's names are hyphenated, so a map is the usual choice).
     */
    public JsonNode execute(String command, Object arguments) {
        return execute(command, arguments, defaultTimeout);
    }

    /**
     * Runs a command with arguments within {@code timeout}.
     *
     * @return the reply's {@code return} value, often an empty object
     * @throws QmpCommandException when QEMU answers with an error
     * @throws QmpTimeoutException when no reply comes within {@code timeout}
     * @throws QmpClosedException when the connection is or becomes closed first
     */
    public JsonNode execute(String command, Object arguments, Duration timeout) {
        Objects.requireNonNull(arguments, "arguments");
        JsonNode args = JSON.valueToTree(arguments);
        if (!args.isObject()) {
            throw new IllegalArgumentException("QMP arguments must be a JSON object, not " + args.getNodeType());
        }
        return call(command, (ObjectNode) args, timeout);
    }

    /** Calls {@code listener} for every event. */
    public Subscription onEvent(Consumer<QmpEvent> listener) {
        return subscribe(event -> true, listener);
    }

    /** Calls {@code listener} for every event named {@code name}, e.g. {@code SHUTDOWN}. */
    public Subscription onEvent(String name, Consumer<QmpEvent> listener) {
        Objects.requireNonNull(name, "name");
        return subscribe(event -> event.name().equals(name), listener);
    }

    /**
     * The next event that matches, from now on. Call it <em>before</em> the command that causes
     * the event (e.g. {@code device_del} and then wait for {@code DEVICE_DELETED}), so the event
     * cannot slip past. The future fails with {@link QmpClosedException} if the connection closes
     * first; bound the wait with {@code get(timeout)} or {@code orTimeout}.
     */
    public CompletableFuture<QmpEvent> nextEvent(Predicate<QmpEvent> match) {
        CompletableFuture<QmpEvent> next = new CompletableFuture<>();
        Subscription subscription = subscribe(match, next::complete);
        Subscription closeWatch = onClose(gone -> next.completeExceptionally(
                new QmpClosedException("event", gone.detail(), null)));
        next.whenComplete((event, failure) -> {
            subscription.close();
            closeWatch.close();
        });
        return next;
    }

    /** The next event named {@code name}; see {@link #nextEvent(Predicate)}. */
    public CompletableFuture<QmpEvent> nextEvent(String name) {
        Objects.requireNonNull(name, "name");
        return nextEvent(event -> event.name().equals(name));
    }

    /**
     * Calls {@code listener} once when the connection ends, whoever ends it. If it has already
     * ended, the listener is called at once (on another thread).
     */
    public Subscription onClose(Consumer<QmpDisconnect> listener) {
        Objects.requireNonNull(listener, "listener");
        QmpDisconnect gone;
        stateLock.lock();
        try {
            gone = disconnect;
            if (gone == null) {
                closeListeners.add(listener);
            }
        } finally {
            stateLock.unlock();
        }
        if (gone != null) {
            QmpDisconnect reason = gone;
            Thread.ofVirtual().start(() -> safely(() -> listener.accept(reason)));
        }
        return () -> {
            stateLock.lock();
            try {
                closeListeners.remove(listener);
            } finally {
                stateLock.unlock();
            }
        };
    }

    /** Closes the connection. QEMU keeps running; pending commands fail with {@link QmpClosedException}. */
    @Override
    public void close() {
        closing = true;
        closeQuietly(channel);
        disconnected(new QmpDisconnect(true, "closed by client"));
    }

    private Subscription subscribe(Predicate<QmpEvent> match, Consumer<QmpEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        EventListener entry = new EventListener(match, listener);
        eventListeners.add(entry);
        return () -> eventListeners.remove(entry);
    }

    private JsonNode call(String command, ObjectNode arguments, Duration timeout) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(timeout, "timeout");
        String id = "nubo-" + ids.incrementAndGet();
        ObjectNode message = JSON.createObjectNode().put("execute", command).put("id", id);
        if (arguments != null) {
            message.set("arguments", arguments);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, new Pending(command, reply));
        // Checked after registering: a disconnect that ran before the put would have missed this entry.
        QmpDisconnect gone = disconnect;
        if (gone != null) {
            pending.remove(id);
            throw new QmpClosedException(command, gone.detail(), null);
        }
        try {
            send(message);
        } catch (IOException e) {
            pending.remove(id);
            throw new QmpClosedException(command, "write failed: " + e.getMessage(), e);
        }
        try {
            JsonNode response = await(command, reply, timeout, null);
            JsonNode error = response.get("error");
            if (error != null) {
                throw new QmpCommandException(command, error.path("class").asText("?"), error.path("desc").asText(""));
            }
            return response.path("return");
        } finally {
            pending.remove(id);
        }
    }

    private JsonNode await(String command, CompletableFuture<JsonNode> future, Duration timeout, String timeoutHint) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new QmpTimeoutException(command, timeout, timeoutHint);
        } catch (ExecutionException e) {
            QmpDisconnect gone = disconnect;
            throw new QmpClosedException(command, gone == null ? "connection lost" : gone.detail(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException(command, command + ": interrupted while waiting for the QMP reply", e);
        }
    }

    private void send(ObjectNode message) throws IOException {
        byte[] bytes = (JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        writeLock.lock();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Reads newline-framed JSON messages until the stream ends, then reports the disconnect. */
    private void readLoop() {
        String detail;
        try {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                if (channel.read(buffer) < 0) {
                    detail = "end of stream from " + socket;
                    break;
                }
                buffer.flip();
                byte[] bytes = buffer.array();
                int start = 0;
                for (int i = 0; i < buffer.limit(); i++) {
                    if (bytes[i] == '\n') {
                        line.write(bytes, start, i - start);
                        handle(line.toByteArray());
                        line.reset();
                        start = i + 1;
                    }
                }
                line.write(bytes, start, buffer.limit() - start);
                if (line.size() > MAX_MESSAGE_BYTES) {
                    throw new IOException("QMP message longer than " + MAX_MESSAGE_BYTES + " bytes");
                }
                buffer.clear();
            }
        } catch (IOException e) {
            // QEMU's quit often ends in a reset rather than an orderly end of stream.
            detail = closing ? "closed by client" : "read failed: " + e;
        } catch (RuntimeException e) {
            LOG.error("QMP reader for {} failed", socket, e);
            detail = "reader failed: " + e;
        }
        closeQuietly(channel);
        disconnected(new QmpDisconnect(closing, detail));
    }

    private void handle(byte[] bytes) {
        JsonNode message;
        try {
            message = JSON.readTree(bytes);
        } catch (IOException e) {
            LOG.warn("Unparseable QMP message from {}: {}", socket, new String(bytes, StandardCharsets.UTF_8).strip());
            return;
        }
        if (message == null || message.isMissingNode()) {
            return;
        }
        if (message.has("QMP")) {
            greeting.complete(message);
        } else if (message.has("event")) {
            dispatch(toEvent(message));
        } else if (message.has("return") || message.has("error")) {
            String id = message.path("id").asText(null);
            Pending waiting = id == null ? null : pending.remove(id);
            if (waiting != null) {
                waiting.reply().complete(message);
            } else {
                LOG.debug("Dropping QMP reply with unknown or late id {} on {}", id, socket);
            }
        } else {
            LOG.warn("Unexpected QMP message on {}: {}", socket, message);
        }
    }

    private static QmpEvent toEvent(JsonNode message) {
        JsonNode stamp = message.path("timestamp");
        Instant timestamp = Instant.ofEpochSecond(stamp.path("seconds").asLong(), stamp.path("microseconds").asLong() * 1000);
        JsonNode data = message.has("data") ? message.get("data") : JsonNodeFactory.instance.objectNode();
        return new QmpEvent(message.path("event").asText(), data, timestamp);
    }

    private void dispatch(QmpEvent event) {
        try {
            dispatcher.execute(() -> {
                for (EventListener entry : eventListeners) {
                    if (entry.match().test(event)) {
                        safely(() -> entry.listener().accept(event));
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Event {} after close on {} dropped", event.name(), socket);
        }
    }

    private void disconnected(QmpDisconnect reason) {
        List<Consumer<QmpDisconnect>> toNotify;
        stateLock.lock();
        try {
            if (disconnect != null) {
                return;
            }
            disconnect = reason;
            toNotify = List.copyOf(closeListeners);
            closeListeners.clear();
        } finally {
            stateLock.unlock();
        }
        greeting.completeExceptionally(new Gone());
        pending.values().forEach(waiting -> waiting.reply().completeExceptionally(new Gone()));
        LOG.debug("QMP connection to {} ended: {}", socket, reason.detail());
        try {
            dispatcher.execute(() -> toNotify.forEach(listener -> safely(() -> listener.accept(reason))));
        } finally {
            dispatcher.shutdown();
        }
    }

    private void safely(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("QMP listener on {} failed", socket, e);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Closing QMP channel failed", e);
        }
    }
}
