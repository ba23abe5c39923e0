package io.nubo.control.images;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP server on 127.0.0.1 that serves files, fails, or redirects, for import tests; it
 * never reaches beyond the loopback interface.
 */
final class LoopbackHttp implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, Path> files = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();

    LoopbackHttp() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            String path = ex.getRequestURI().getPath();
            try (ex) {
                if (redirects.containsKey(path)) {
                    ex.getResponseHeaders().add("Location", redirects.get(path));
                    ex.sendResponseHeaders(302, -1);
                } else if (statuses.containsKey(path)) {
                    ex.sendResponseHeaders(statuses.get(path), -1);
                } else if (files.containsKey(path)) {
                    Path f = files.get(path);
                    ex.sendResponseHeaders(200, Files.size(f));
                    try (OutputStream out = ex.getResponseBody()) {
                        Files.copy(f, out);
                    }
                } else {
                    ex.sendResponseHeaders(404, -1);
                }
            }
        });
        server.start();
    }

    String serve(String path, Path file) {
        files.put(path, file);
        return url(path);
    }

    String fail(String path, int status) {
        statuses.put(path, status);
        return url(path);
    }

    String redirect(String path, String to) {
        redirects.put(path, to);
        return url(path);
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
