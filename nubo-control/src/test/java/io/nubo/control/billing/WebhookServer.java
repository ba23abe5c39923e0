package io.nubo.control.billing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on 127.0.0.1 only: {@code /ok/...} answers 204, {@code /flaky/...} answers
 * 500 to its first two calls and 200 from then on, {@code /hang/...} never answers (until closed).
 * It counts the calls per path and keeps the bodies.
 */
final class WebhookServer implements AutoCloseable {
    private final HttpServer server;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();

    WebhookServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            int n = calls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            try (InputStream in = ex.getRequestBody()) {
                bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            try {
                if (path.startsWith("/hang/")) {
                    closing.await();
                    ex.sendResponseHeaders(204, -1);
                } else if (path.startsWith("/flaky/") && n <= 2) {
                    ex.sendResponseHeaders(500, -1);
                } else {
                    ex.sendResponseHeaders(path.startsWith("/flaky/") ? 200 : 204, -1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    int calls(String path) {
        AtomicInteger n = calls.get(path);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
