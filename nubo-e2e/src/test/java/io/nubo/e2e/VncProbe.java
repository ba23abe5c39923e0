package io.nubo.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Opens a VM's console as the portal's noVNC does (a ticket, then the server's WebSocket relay) and reads the VNC server's first words. */
final class VncProbe {
    private VncProbe() {
    }

    /** The VNC server's greeting (RFB's "RFB 003.008\n"), as relayed by the server for a fresh console ticket. */
    static String greeting(ServerProcess server, String instanceId) throws Exception {
        ServerProcess.Reply t = server.call("POST", "/instances/" + instanceId + "/console-ticket", "{}");
        if (t.status() != 201) {
            throw new IllegalStateException("no console ticket: " + t.json());
        }
        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port + t.json().path("path").asText()), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                        first.complete(StandardCharsets.US_ASCII.decode(data).toString());
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                        first.completeExceptionally(new IllegalStateException("the relay closed: " + status + " " + reason));
                        return null;
                    }

                    @Override
                    public void onError(WebSocket w, Throwable error) {
                        first.completeExceptionally(error);
                    }
                }).get(30, TimeUnit.SECONDS);
        try {
            return first.get(30, TimeUnit.SECONDS);
        } finally {
            ws.abort();
        }
    }
}
