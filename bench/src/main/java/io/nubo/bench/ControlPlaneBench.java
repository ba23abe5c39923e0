package io.nubo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Control-plane load driver against a running Nubo (fake driver), through the REST API:
 *
 * <ol>
 *   <li>launch: N parallel clients each POST /api/v1/instances with count=1, R times in a row.
 *       Reports the accepted rate (launches / time from the first request to the last answer),
 *       per-request latency, and the time from the first request until a listing shows every
 *       launched instance running. Each round runs in a new account, so that the account holds
 *       exactly the round's instances. Round 1 runs on a cold server JVM; later rounds are warm.</li>
 *   <li>list: GET /api/v1/instances?limit=1000 in the last round's account (1,000 instances),
 *       sequentially, after a warm-up; reports percentiles of the client-side latency.</li>
 * </ol>
 *
 * Timing is System.nanoTime around the HTTP exchange only (body received as bytes); JSON is
 * parsed outside the timed section. Percentiles are nearest-rank on the sorted samples. Every
 * figure is printed as a {@code RESULT key=value} line for bench/run.sh.
 */
public final class ControlPlaneBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http;
    private final Map<String, String> results = new LinkedHashMap<>();

    private ControlPlaneBench(String base) {
        this.base = base;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        String url = o.getOrDefault("url", "http://127.0.0.1:8773");
        if (!url.startsWith("http://127.0.0.1:")) {
            throw new IllegalArgumentException("--url must be http://127.0.0.1:<port>: benchmarks only send traffic to this machine");
        }
        String adminToken = token(Path.of(required(o, "credentials")));
        int clients = Integer.parseInt(o.getOrDefault("clients", "10"));
        int perClient = Integer.parseInt(o.getOrDefault("requests-per-client", "100"));
        int rounds = Integer.parseInt(o.getOrDefault("launch-rounds", "2"));
        int listCalls = Integer.parseInt(o.getOrDefault("list-calls", "1000"));
        int listWarmup = Integer.parseInt(o.getOrDefault("list-warmup", "300"));
        Duration runningTimeout = Duration.ofSeconds(Long.parseLong(o.getOrDefault("running-timeout-s", "60")));
        String type = o.getOrDefault("instance-type", "t3.nano");
        // Diagnostic: spread the clients over several accounts (client c uses account c mod N).
        // The standard figure uses one account, as a single tenant launching 1,000 instances would.
        int accounts = Integer.parseInt(o.getOrDefault("accounts", "1"));

        var bench = new ControlPlaneBench(url);
        String imageId = bench.defaultImage(adminToken);
        System.out.printf(Locale.ROOT, "target %s, image %s, type %s, %d clients x %d launches (count=1), %d round(s)%n",
                url, imageId, type, clients, perClient, rounds);
        String lastAccountToken = null;
        int lastAccepted = 0;
        for (int round = 1; round <= rounds; round++) {
            String label = round == 1 ? "cold" : rounds == 2 ? "warm" : "warm" + (round - 1);
            List<String> tokens = new ArrayList<>();
            for (int a = 0; a < accounts; a++) {
                tokens.add(bench.newAccount(adminToken, "bench-" + label + "-" + a + "-" + System.currentTimeMillis(), clients * perClient * 2));
            }
            lastAccepted = bench.launchRound(label, tokens, imageId, type, clients, perClient, runningTimeout);
            lastAccountToken = accounts == 1 ? tokens.get(0) : null;
        }
        if (listCalls > 0 && lastAccountToken != null) {
            bench.listBench(lastAccountToken, lastAccepted, listWarmup, listCalls);
        }
        bench.results.forEach((k, v) -> System.out.println("RESULT " + k + "=" + v));
    }

    // ---- launch -------------------------------------------------------------------------------

    /** Runs one launch round; returns how many launches were accepted. */
    private int launchRound(String label, List<String> tokens, String imageId, String type, int clients, int perClient,
                             Duration runningTimeout) throws Exception {
        int total = clients * perClient;
        byte[] body = JSON.writeValueAsBytes(Map.of("imageId", imageId, "instanceType", type, "count", 1));
        long[][] latencies = new long[clients][perClient];
        String[][] ids = new String[clients][perClient];
        int[] errors = new int[clients];
        String[] firstError = new String[1];
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            futures.add(pool.submit(() -> {
                HttpRequest req = request("/api/v1/instances", tokens.get(client % tokens.size())).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                ready.countDown();
                go.await();
                for (int n = 0; n < perClient; n++) {
                    long t = System.nanoTime();
                    HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                    latencies[client][n] = System.nanoTime() - t;
                    if (r.statusCode() == 201) {
                        ids[client][n] = JSON.readTree(r.body()).path("instances").path(0).path("instanceId").asText();
                    } else {
                        errors[client]++;
                        synchronized (firstError) {
                            if (firstError[0] == null) {
                                firstError[0] = r.statusCode() + " " + new String(r.body());
                            }
                        }
                    }
                }
                return null;
            }));
        }
        ready.await();
        long t0 = System.nanoTime();
        go.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        long tAccepted = System.nanoTime();
        pool.shutdown();
        int errorCount = Arrays.stream(errors).sum();
        if (errorCount > 0) {
            System.out.printf("launch %s: %d of %d launches failed; first: %s%n", label, errorCount, total, firstError[0]);
        }

        // Poll the listing until every launched instance is running (or none is pending any more,
        // or the timeout passes). The time of a poll is the moment its answer arrived; polls run
        // back to back with a 5 ms pause.
        long deadline = tAccepted + runningTimeout.toNanos();
        long tRunning = -1;
        int polls = 0;
        Map<String, Integer> lastStates = Map.of();
        while (System.nanoTime() < deadline) {
            Map<String, Integer> seen = new HashMap<>();
            for (String token : tokens) {
                HttpResponse<byte[]> r = http.send(request("/api/v1/instances?limit=1000", token).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                states(r).forEach((k, v) -> seen.merge(k, v, Integer::sum));
            }
            long t = System.nanoTime();
            polls++;
            lastStates = seen;
            if (lastStates.getOrDefault("running", 0) == total - errorCount) {
                tRunning = t;
                break;
            }
            if (!lastStates.containsKey("pending")) {
                break; // settled, but not all running (e.g. terminated for lack of capacity): waiting will not help
            }
            Thread.sleep(5);
        }

        double acceptS = (tAccepted - t0) / 1e9;
        long[] lat = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        String p = "launch." + label + ".";
        results.put(p + "instances", Integer.toString(total));
        results.put(p + "accounts", Integer.toString(tokens.size()));
        results.put(p + "errors", Integer.toString(errorCount));
        results.put(p + "accept_s", fmt(acceptS, 3));
        results.put(p + "accept_per_s", fmt((total - errorCount) / acceptS, 0));
        results.put(p + "req_p50_ms", ms(percentile(lat, 0.50)));
        results.put(p + "req_p99_ms", ms(percentile(lat, 0.99)));
        results.put(p + "req_max_ms", ms(lat[lat.length - 1]));
        results.put(p + "all_running_s", tRunning < 0 ? "never" : fmt((tRunning - t0) / 1e9, 3));
        results.put(p + "running_polls", Integer.toString(polls));
        System.out.printf(Locale.ROOT, "launch %s: %d accepted in %.3f s (%.0f/s); request p50 %s ms, p99 %s ms, max %s ms; "
                        + "all running after %s s (%d polls; last states %s)%n",
                label, total - errorCount, acceptS, (total - errorCount) / acceptS, ms(percentile(lat, 0.5)), ms(percentile(lat, 0.99)),
                ms(lat[lat.length - 1]), tRunning < 0 ? "never" : fmt((tRunning - t0) / 1e9, 3), polls, lastStates);
        if (tRunning < 0) {
            // Name the instances that never got there, for the diagnosis.
            List<String> stuck = new ArrayList<>();
            for (String token : tokens) {
                HttpResponse<byte[]> r = http.send(request("/api/v1/instances?limit=1000", token).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                for (JsonNode i : JSON.readTree(r.body()).path("instances")) {
                    if (!"running".equals(i.path("state").path("name").asText())) {
                        stuck.add(i.path("instanceId").asText() + " (" + i.path("state").path("name").asText() + ", task "
                                + i.path("task").asText() + ")");
                    }
                }
            }
            results.put(p + "not_running", stuck.size() > 20 ? stuck.size() + " instances" : String.join(" ", stuck).replace(' ', '_'));
            System.out.printf("launch %s: NOT all running (waited up to %d s); not running: %s%n", label, runningTimeout.toSeconds(),
                    stuck.size() > 20 ? stuck.size() + " instances" : stuck);
        }
        return total - errorCount;
    }

    private static Map<String, Integer> states(HttpResponse<byte[]> r) throws IOException {
        if (r.statusCode() != 200) {
            throw new IllegalStateException("list answered " + r.statusCode() + ": " + new String(r.body()));
        }
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode i : JSON.readTree(r.body()).path("instances")) {
            counts.merge(i.path("state").path("name").asText(), 1, Integer::sum);
        }
        return counts;
    }

    // ---- list ---------------------------------------------------------------------------------

    private void listBench(String token, int expected, int warmup, int calls) throws Exception {
        HttpRequest req = request("/api/v1/instances?limit=1000", token).GET().build();
        for (int n = 0; n < warmup; n++) {
            http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        }
        long[] lat = new long[calls];
        int bytes = 0;
        for (int n = 0; n < calls; n++) {
            long t = System.nanoTime();
            HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            lat[n] = System.nanoTime() - t;
            if (r.statusCode() != 200) {
                throw new IllegalStateException("list answered " + r.statusCode());
            }
            bytes = r.body().length;
            if (n == 0 || n == calls - 1) { // check the answer really holds them all, outside the timing
                JsonNode page = JSON.readTree(r.body());
                if (page.path("instances").size() != expected || page.hasNonNull("nextToken")) {
                    throw new IllegalStateException("list returned " + page.path("instances").size() + " instances, expected " + expected);
                }
            }
        }
        long[] sorted = lat.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(lat).average().orElse(0) / 1e6;
        results.put("list.instances", Integer.toString(expected));
        results.put("list.calls", Integer.toString(calls));
        results.put("list.warmup_calls", Integer.toString(warmup));
        results.put("list.response_bytes", Integer.toString(bytes));
        results.put("list.p50_ms", ms(percentile(sorted, 0.50)));
        results.put("list.p90_ms", ms(percentile(sorted, 0.90)));
        results.put("list.p99_ms", ms(percentile(sorted, 0.99)));
        results.put("list.max_ms", ms(sorted[sorted.length - 1]));
        results.put("list.mean_ms", fmt(mean, 2));
        System.out.printf(Locale.ROOT, "list %d instances (%d bytes), %d calls after %d warm-up: p50 %s ms, p90 %s ms, p99 %s ms, "
                        + "max %s ms, mean %.2f ms%n", expected, bytes, calls, warmup, ms(percentile(sorted, 0.5)),
                ms(percentile(sorted, 0.9)), ms(percentile(sorted, 0.99)), ms(sorted[sorted.length - 1]), mean);
    }

    // ---- setup --------------------------------------------------------------------------------

    private String defaultImage(String token) throws Exception {
        HttpResponse<byte[]> r = http.send(request("/api/v1/images", token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /api/v1/images answered " + r.statusCode() + ": " + new String(r.body()));
        }
        for (JsonNode image : JSON.readTree(r.body())) {
            if ("nubo-default".equals(image.path("name").asText())) {
                return image.path("imageId").asText();
            }
        }
        throw new IllegalStateException("no image named nubo-default in " + new String(r.body()));
    }

    /** Creates a member account with room for {@code quota} instances; returns its bearer token. */
    private String newAccount(String adminToken, String name, int quota) throws Exception {
        HttpResponse<byte[]> r = http.send(request("/api/v1/accounts", adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(Map.of("name", name, "instanceQuota", quota))))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("POST /api/v1/accounts answered " + r.statusCode() + ": " + new String(r.body()));
        }
        JsonNode key = JSON.readTree(r.body()).path("accessKey");
        return key.path("accessKeyId").asText() + ":" + key.path("secretAccessKey").asText();
    }

    private HttpRequest.Builder request(String path, String token) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token);
    }

    /** {@code id:secret} from profile [nubo] of an AWS-format credentials file. */
    private static String token(Path credentials) {
        String id = null;
        String secret = null;
        boolean inProfile = false;
        try {
            for (String line : Files.readAllLines(credentials)) {
                String l = line.trim();
                if (l.startsWith("[")) {
                    inProfile = l.equals("[nubo]");
                } else if (inProfile && l.contains("=")) {
                    String k = l.substring(0, l.indexOf('=')).trim();
                    String v = l.substring(l.indexOf('=') + 1).trim();
                    if (k.equals("aws_access_key_id")) {
                        id = v;
                    } else if (k.equals("aws_secret_access_key")) {
                        secret = v;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (id == null || secret == null) {
            throw new IllegalArgumentException("no [nubo] key pair in " + credentials);
        }
        return id + ":" + secret;
    }

    // ---- small helpers ------------------------------------------------------------------------

    /** Nearest-rank percentile of sorted samples. */
    static long percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static String ms(long nanos) {
        return fmt(nanos / 1e6, 2);
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int n = 0; n < args.length; n++) {
            if (!args[n].startsWith("--") || n + 1 >= args.length) {
                throw new IllegalArgumentException("usage: --url http://127.0.0.1:PORT --credentials FILE [--clients 10] "
                        + "[--requests-per-client 100] [--launch-rounds 2] [--list-calls 1000] [--list-warmup 300] "
                        + "[--running-timeout-s 60] [--instance-type t3.nano] [--accounts 1]");
            }
            o.put(args[n].substring(2), args[++n]);
        }
        return o;
    }

    private static String required(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }
}
