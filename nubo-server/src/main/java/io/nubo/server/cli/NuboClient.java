package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

/** A small client of the REST API for the CLI. Thread-safe. */
public final class NuboClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String endpoint;
    private final String authorization;

    public NuboClient(String endpoint, String accessKey, String secret) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.authorization = "Bearer " + accessKey + ":" + secret;
    }

    public JsonNode get(String path, Map<String, String> query) {
        String qs = query.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        return send("GET", path + (qs.isEmpty() ? "" : "?" + qs), null);
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    public JsonNode put(String path, Object body) {
        return send("PUT", path, body);
    }

    public JsonNode post(String path, Object body) {
        return send("POST", path, body);
    }

    private JsonNode send(String method, String path, Object body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + "/api/v1" + path))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", authorization)
                    .header("Accept", "application/json");
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = r.body().length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(r.body());
            if (r.statusCode() >= 400) {
                throw new CliException(json.path("code").asText("HTTP" + r.statusCode()), json.path("detail").asText(new String(r.body(), StandardCharsets.UTF_8)));
            }
            return json;
        } catch (ConnectException e) {
            throw new CliException("cannot reach Nubo at " + endpoint + ": is it running? (./nubo up)");
        } catch (IOException e) {
            throw new CliException("request to " + endpoint + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    /**
     * PUTs a file as the raw body, streamed from disk with its Content-Length, telling
     * {@code progress} how many bytes have gone; returns the JSON answer. (HttpURLConnection in
     * fixed-length streaming mode: it sends a large body several times faster than HttpClient.)
     */
    public JsonNode upload(String pathAndQuery, Path file, LongConsumer progress) {
        try {
            long length = Files.size(file);
            HttpURLConnection c = (HttpURLConnection) URI.create(endpoint + "/api/v1" + pathAndQuery).toURL()
                    .openConnection(java.net.Proxy.NO_PROXY);
            c.setRequestMethod("PUT");
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(length);
            c.setConnectTimeout(5000);
            c.setRequestProperty("Authorization", authorization);
            c.setRequestProperty("Accept", "application/json");
            c.setRequestProperty("Content-Type", "application/octet-stream");
            try (var in = new CountingStream(Files.newInputStream(file), progress); var out = c.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // The server may answer (an error) before it has read the whole body: read its answer below.
                if (c.getResponseCode() < 400) {
                    throw e;
                }
            }
            int status = c.getResponseCode();
            byte[] body;
            try (var in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                body = in == null ? new byte[0] : in.readAllBytes();
            }
            JsonNode json = body.length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(body);
            if (status >= 400) {
                throw new CliException(json.path("code").asText("HTTP" + status), json.path("detail").asText());
            }
            return json;
        } catch (ConnectException e) {
            throw new CliException("cannot reach Nubo at " + endpoint + ": is it running? (./nubo up)");
        } catch (IOException e) {
            throw new CliException("upload to " + endpoint + " failed: " + e.getMessage());
        }
    }

    /** Counts the bytes read through it. */
    private static final class CountingStream extends java.io.FilterInputStream {
        private final LongConsumer progress;
        private long read;

        CountingStream(java.io.InputStream in, LongConsumer progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                read += n;
                progress.accept(read);
            }
            return n;
        }
    }

    /** GETs a non-JSON answer (a CSV export) as text; errors are problem JSON as usual. */
    public String getText(String path) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(endpoint + "/api/v1" + path)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", authorization).GET().build();
            HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() >= 400) {
                JsonNode json = MAPPER.readTree(r.body());
                throw new CliException(json.path("code").asText("HTTP" + r.statusCode()), json.path("detail").asText());
            }
            return new String(r.body(), StandardCharsets.UTF_8);
        } catch (ConnectException e) {
            throw new CliException("cannot reach Nubo at " + endpoint + ": is it running? (./nubo up)");
        } catch (IOException e) {
            throw new CliException("request to " + endpoint + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
