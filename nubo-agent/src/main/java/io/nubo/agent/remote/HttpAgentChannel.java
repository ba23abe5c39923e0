package io.nubo.agent.remote;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nubo.core.agent.AgentChannel;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.agent.HostReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * {@link AgentChannel} over HTTP/JSON, for an agent on another machine: every call goes to the
 * server's {@code /agent/v1} endpoint with the host credential as a bearer token. A failed call
 * throws; the agent's loops retry. Thread-safe.
 */
public final class HttpAgentChannel implements AgentChannel {
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String credential;

    public HttpAgentChannel(URI server, String credential) {
        this.base = server.resolve("/agent/v1/");
        this.credential = credential;
    }

    /** What joining gave: the host's ID and its credential. */
    public record Joined(String hostId, String credential) {
    }

    /** Enrols this machine as a new host with an admin's join token. */
    public static Joined join(URI server, String joinToken, HostRegistration registration) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest req = HttpRequest.newBuilder(server.resolve("/agent/v1/join")).timeout(CALL_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(Map.of("token", joinToken, "registration", registration)))).build();
        JsonNode answer = tree(send(client, req, 201));
        return new Joined(answer.path("hostId").asText(), answer.path("credential").asText());
    }

    @Override
    public String register(HostRegistration registration) {
        return tree(send(http, post("register", registration).build(), 200)).path("hostId").asText();
    }

    @Override
    public void heartbeat(String hostId) {
        send(http, post("heartbeat", Map.of()).build(), 204);
    }

    @Override
    public DesiredState awaitDesired(String hostId, long knownVersion, Duration timeout) {
        HttpRequest req = authorized(HttpRequest.newBuilder(base.resolve("desired?known=" + knownVersion + "&waitMs=" + timeout.toMillis())))
                .timeout(timeout.plus(CALL_TIMEOUT)).GET().build();
        try {
            return JSON.readValue(send(http, req, 200), DesiredState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("the server's desired state is not valid JSON", e);
        }
    }

    @Override
    public void report(String hostId, HostReport report) {
        send(http, post("report", report).build(), 204);
    }

    @Override
    public void migrationUpdate(String hostId, io.nubo.core.agent.MigrationUpdate update) {
        send(http, post("migration", update).build(), 204);
    }

    private HttpRequest.Builder post(String path, Object body) {
        return authorized(HttpRequest.newBuilder(base.resolve(path))).timeout(CALL_TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(body)));
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
