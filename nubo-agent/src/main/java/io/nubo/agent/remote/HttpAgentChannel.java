package io.nubo.agent.remote;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
public final class HttpAgentChannel implements AgentChannel {
    private static final Logger LOG = LoggerFactory.getLogger(HttpAgentChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Each replica's {@code /agent/v1/}, in the operator's order. */
    private final List<URI> bases;
    /** The replica that answered last: calls go there first. */
    private final AtomicInteger current = new AtomicInteger();
    private final String credential;

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

    @Override
    public String register(HostRegistration registration) {
        return tree(call(post("register", registration), 200)).path("hostId").asText();
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
