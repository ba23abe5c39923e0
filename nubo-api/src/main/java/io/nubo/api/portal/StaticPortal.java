package io.nubo.api.portal;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the portal's built files from the classpath ({@code nubo-portal/} in the server jar).
 * Hashed assets are cached for a year; any other path under {@code /ui/} without a file
 * extension gets {@code index.html}, so deep links work. Nothing is loaded from elsewhere: the
 * Content-Security-Policy allows this origin only. Thread-safe.
 */
final class StaticPortal {
    static final String ROOT = "nubo-portal/";
    static final String CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml", "png", "image/png", "ico", "image/x-icon", "json", "application/json",
            "woff2", "font/woff2", "map", "application/json", "txt", "text/plain; charset=utf-8");
    private final ConcurrentHashMap<String, Optional<byte[]>> cache = new ConcurrentHashMap<>();

    void serve(Context ctx) {
        String uri = ctx.req().getRequestURI();
        String path = uri.length() <= "/ui/".length() ? "" : uri.substring("/ui/".length());
        if (path.contains("..") || path.contains("\\") || path.contains("//")) {
            ctx.status(404).result("Not found");
            return;
        }
        String last = path.substring(path.lastIndexOf('/') + 1);
        boolean isFile = last.contains(".");
        String name = isFile ? path : "index.html";
        Optional<byte[]> body = load(name);
        if (body.isEmpty()) {
            if (!isFile) {
                ctx.status(503).contentType("text/plain; charset=utf-8")
                        .result("The portal was not built into this server (build it with mvn package, which runs npm).");
            } else {
                ctx.status(404).contentType("text/plain; charset=utf-8").result("Not found");
            }
            return;
        }
        String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("Cache-Control", name.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache");
        ctx.contentType(TYPES.getOrDefault(ext, "application/octet-stream")).result(body.get());
    }

    private Optional<byte[]> load(String name) {
        return cache.computeIfAbsent(name, n -> {
            try (InputStream in = StaticPortal.class.getClassLoader().getResourceAsStream(ROOT + n)) {
                return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
