package io.nubo.agent.remote;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nubo.agent.ImageDownloads;
import io.nubo.core.agent.AgentChannel;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.agent.HostReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * {@link AgentChannel} over HTTP/JSON, for an agent on another machine: every call goes to a
 * server's {@code /agent/v1} endpoint with the host credential as a bearer token. With several
 * server replicas, a call that cannot reach one (refused, cut off, timed out) goes to the next,
 * and the channel stays with the one that answered; every replica serves every host, and every
 * agent call is idempotent, so a call repeated on another replica does no harm. A call that
 * reaches no replica, or that a replica refuses, throws; the agent's loops retry. Thread-safe.
 */
public final class HttpAgentChannel implements AgentChannel, ImageDownloads {
    private static final Logger LOG = LoggerFactory.getLogger(HttpAgentChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    /** How long an image download may wait for the answer to start: a server hashes a large file once before it sends it. */
    private static final Duration IMAGE_ANSWER_TIMEOUT = Duration.ofMinutes(10);
    private static final java.util.regex.Pattern IMAGE_ID = java.util.regex.Pattern.compile("ami-[0-9a-f]{8,17}");
    private static final java.util.regex.Pattern CONTENT_RANGE = java.util.regex.Pattern.compile("bytes (\\d+)-\\d+/\\d+");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Each replica's {@code /agent/v1/}, in the operator's order. */
    private final List<URI> bases;
    /** The replica that answered last: calls go there first. */
    private final AtomicInteger current = new AtomicInteger();
    private final String credential;
    /** The console port to announce, or null for none. */
    private volatile Map<String, Object> console;
    /** Where this host mounts the shared pool, to announce; null for nowhere. */
    private volatile String sharedMount;

    public HttpAgentChannel(URI server, String credential) {
        this(List.of(server), credential);
    }

    public HttpAgentChannel(List<URI> servers, String credential) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no server to call");
        }
        this.bases = servers.stream().map(s -> s.resolve("/agent/v1/")).toList();
        this.credential = credential;
    }

    /** What joining gave: the host's ID and its credential. */
    public record Joined(String hostId, String credential) {
    }

    /** Enrols this machine as a new host with an admin's join token. */
    public static Joined join(URI server, String joinToken, HostRegistration registration) {
        return join(List.of(server), joinToken, registration);
    }

    /** As {@link #join(URI, String, HostRegistration)}, with the first replica that can be reached. */
    public static Joined join(List<URI> servers, String joinToken, HostRegistration registration) {
        HttpAgentChannel anonymous = new HttpAgentChannel(servers, null);
        byte[] body = bytes(Map.of("token", joinToken, "registration", registration));
        JsonNode answer = tree(anonymous.call(base -> HttpRequest.newBuilder(base.resolve("join")).timeout(CALL_TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), 201));
        return new Joined(answer.path("hostId").asText(), answer.path("credential").asText());
    }

    /** Announces this host's console port (see {@link ConsolePort}) with every registration, so that every server knows it. */
    public HttpAgentChannel announcingConsole(String address, int port, byte[] key) {
        this.console = Map.of("address", address, "port", port, "key", java.util.HexFormat.of().formatHex(key));
        return this;
    }

    /** Announces where this host mounts the shared pool with every registration. */
    public HttpAgentChannel announcingSharedMount(String path) {
        this.sharedMount = path;
        return this;
    }

    @Override
    public String register(HostRegistration registration) {
        String hostId = tree(call(post("register", registration), 200)).path("hostId").asText();
        Map<String, Object> port = console;
        if (port != null) {
            call(post("console", port), 204);
        }
        String mount = sharedMount;
        if (mount != null) {
            call(post("pools", Map.of("sharedMount", mount)), 204);
        }
        return hostId;
    }

    @Override
    public void heartbeat(String hostId) {
        call(post("heartbeat", Map.of()), 204);
    }

    @Override
    public DesiredState awaitDesired(String hostId, long knownVersion, Duration timeout) {
        byte[] body = call(base -> authorized(HttpRequest.newBuilder(base.resolve("desired?known=" + knownVersion + "&waitMs=" + timeout.toMillis())))
                .timeout(timeout.plus(CALL_TIMEOUT)).GET().build(), 200);
        try {
            return JSON.readValue(body, DesiredState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("the server's desired state is not valid JSON", e);
        }
    }

    @Override
    public void report(String hostId, HostReport report) {
        call(post("report", report), 204);
    }

    @Override
    public void migrationUpdate(String hostId, io.nubo.core.agent.MigrationUpdate update) {
        call(post("migration", update), 204);
    }

    /**
     * Streams an image's file from the server ({@code GET /agent/v1/images/{id}}), from byte
     * {@code from} with a Range when resuming. The body is read as it arrives, never held whole.
     * Replicas are tried in turn while none can be reached, as for every call.
     */
    @Override
    public Download open(String imageId, long from) throws IOException {
        if (!IMAGE_ID.matcher(imageId).matches() || from < 0) {
            throw new IllegalArgumentException("not an image ID: " + imageId);
        }
        int first = current.get();
        IOException unreachable = null;
        for (int k = 0; k < bases.size(); k++) {
            HttpRequest.Builder b = authorized(HttpRequest.newBuilder(bases.get((first + k) % bases.size()).resolve("images/" + imageId)))
                    .timeout(IMAGE_ANSWER_TIMEOUT).GET();
            if (from > 0) {
                b.header("Range", "bytes=" + from + "-");
            }
            HttpResponse<java.io.InputStream> res;
            try {
                res = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                unreachable = e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            return download(res, from);
        }
        throw new IOException("cannot reach the server for image " + imageId + ": " + unreachable.getMessage(), unreachable);
    }

    private static Download download(HttpResponse<java.io.InputStream> res, long from) throws IOException {
        long size = res.headers().firstValueAsLong("X-Nubo-Image-Size").orElse(-1);
        String sha = res.headers().firstValue("X-Nubo-Image-Sha256").orElse("");
        switch (res.statusCode()) {
            case 200 -> {
                return new Download(size, sha, 0, res.body());
            }
            case 206 -> {
                java.util.regex.Matcher m = CONTENT_RANGE.matcher(res.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches()) {
                    res.body().close();
                    throw new IOException("the server's partial answer has no valid Content-Range");
                }
                return new Download(size, sha, Long.parseLong(m.group(1)), res.body());
            }
            case 416 -> {
                // Nothing past the end: what this host has is the whole file, or more (checked by the caller).
                res.body().close();
                return new Download(size, sha, from, java.io.InputStream.nullInputStream());
            }
            default -> {
                byte[] body;
                try (java.io.InputStream in = res.body()) {
                    body = in.readNBytes(64 * 1024);
                }
                JsonNode problem = tree(body);
                throw new RemoteCallException(res.statusCode(), problem.path("code").asText("HTTP " + res.statusCode()),
                        problem.path("detail").asText(""));
            }
        }
    }

    private Function<URI, HttpRequest> post(String path, Object body) {
        byte[] json = bytes(body);
        return base -> authorized(HttpRequest.newBuilder(base.resolve(path))).timeout(CALL_TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build();
    }

    /**
     * Sends the request to the replica that answered last, and to the others in turn while none
     * can be reached; a replica that answers, even with an error, ends the round.
     */
    private byte[] call(Function<URI, HttpRequest> request, int expected) {
        int first = current.get();
        UncheckedIOException unreachable = null;
        for (int k = 0; k < bases.size(); k++) {
            int at = (first + k) % bases.size();
            try {
                byte[] body = send(http, request.apply(bases.get(at)), expected);
                if (at != first && current.compareAndSet(first, at)) {
                    LOG.info("calling the server at {} from now on ({})", bases.get(at).resolve("/"), unreachable.getMessage());
                }
                return body;
            } catch (UncheckedIOException e) {
                unreachable = e;
            }
        }
        throw unreachable;
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder b) {
        return b.header("Authorization", "Bearer " + credential);
    }

    private static byte[] send(HttpClient client, HttpRequest req, int expected) {
        HttpResponse<byte[]> res;
        try {
            res = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the server at " + req.uri().resolve("/") + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (res.statusCode() != expected) {
            JsonNode problem = tree(res.body());
            throw new RemoteCallException(res.statusCode(), problem.path("code").asText("HTTP " + res.statusCode()),
                    problem.path("detail").asText(""));
        }
        return res.body();
    }

    private static byte[] bytes(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode tree(byte[] body) {
        try {
            return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** The server refused a call; {@code code} is its error code (e.g. {@code AuthFailure}). */
    public static final class RemoteCallException extends RuntimeException {
        private final int status;
        private final String code;

        RemoteCallException(int status, String code, String detail) {
            super(code + ": " + detail);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }
}
