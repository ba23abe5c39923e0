package io.nubo.api.portal;

import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsCloseStatus;
import io.javalin.websocket.WsContext;
import io.nubo.control.console.ConsoleTicketService;
import io.nubo.control.console.VncConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Relays a browser's WebSocket (noVNC, binary frames) to a VM's VNC server (a unix socket here, or
 * a remote host's console port), byte for byte.
 * The connection must present a one-time ticket for exactly this instance, and come from this
 * site; otherwise it is closed with 1008 (policy violation) before any byte reaches the VM.
 * Each connection has one virtual thread that copies VM output to the browser. Thread-safe.
 */
final class ConsoleRelay {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleRelay.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final ConsoleTicketService tickets;
    private final ConcurrentHashMap<String, SocketChannel> open = new ConcurrentHashMap<>();

    ConsoleRelay(ConsoleTicketService tickets) {
        this.tickets = tickets;
    }

    void register(RoutesConfig routes, String path) {
        routes.ws(path, ws -> {
            ws.onConnect(ctx -> connect(ctx));
            ws.onBinaryMessage(ctx -> {
                SocketChannel ch = open.get(ctx.sessionId());
                if (ch == null) {
                    ctx.closeSession(WsCloseStatus.POLICY_VIOLATION, "Not connected");
                    return;
                }
                ByteBuffer data = ctx.data();
                try {
                    while (data.hasRemaining()) {
                        ch.write(data);
                    }
                } catch (IOException e) {
                    ctx.closeSession(WsCloseStatus.NORMAL_CLOSURE, "The console closed");
                }
            });
            ws.onMessage(ctx -> ctx.closeSession(WsCloseStatus.POLICY_VIOLATION, "Binary frames only"));
            ws.onClose(ctx -> closeChannel(ctx.sessionId()));
            ws.onError(ctx -> closeChannel(ctx.sessionId()));
        });
    }

    private void connect(WsContext ctx) {
        String origin = ctx.header("Origin");
        if (origin != null && !SessionAuth.sameOrigin(origin, ctx.header("Host"))) {
            ctx.closeSession(WsCloseStatus.POLICY_VIOLATION, "Cross-site console connections are not allowed");
            return;
        }
        Optional<VncConnector> vnc = tickets.redeem(ctx.queryParam("ticket"), ctx.pathParam("instanceId"));
        if (vnc.isEmpty()) {
            ctx.closeSession(WsCloseStatus.POLICY_VIOLATION, "Invalid, used or expired console ticket");
            return;
        }
        SocketChannel ch;
        try {
            ch = vnc.get().open();
        } catch (IOException e) {
            LOG.info("console of {} is not reachable: {}", ctx.pathParam("instanceId"), e.toString());
            ctx.closeSession(WsCloseStatus.SERVER_ERROR, "The console is not reachable");
            return;
        }
        open.put(ctx.sessionId(), ch);
        ctx.enableAutomaticPings(20, TimeUnit.SECONDS);
        Thread.ofVirtual().name("vnc-" + ctx.pathParam("instanceId")).start(() -> pump(ctx, ch));
    }

    /** VM to browser: each read goes out as one binary frame, after the previous one was sent. */
    private void pump(WsContext ctx, SocketChannel ch) {
        try {
            while (true) {
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                if (ch.read(buf) < 0) {
                    break;
                }
                buf.flip();
                Callback.Completable sent = new Callback.Completable();
                ctx.session.sendBinary(buf, sent);
                sent.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            LOG.debug("console relay ended: {}", e.toString());
        } finally {
            closeChannel(ctx.sessionId());
            if (ctx.session.isOpen()) {
                ctx.closeSession(WsCloseStatus.NORMAL_CLOSURE, "The console closed");
            }
        }
    }

    private void closeChannel(String sessionId) {
        SocketChannel ch = open.remove(sessionId);
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}
