package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * A real {@code nubo up} in a child JVM, on its own data dir and port, started from the test
 * classpath. Tests stop it by its own pid only: SIGTERM for a clean stop, SIGKILL for a crash.
 */
final class ServerProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    final Path dataDir;
    final int port;
    private final List<String> extraArgs;
    private final String command;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int starts;

    ServerProcess(Path dataDir, String... extraArgs) {
        this("up", dataDir, extraArgs);
    }

    private ServerProcess(String command, Path dataDir, String... extraArgs) {
        this.command = command;
        this.dataDir = dataDir;
        this.port = freePort();
        this.extraArgs = List.of(extraArgs);
    }

    /**
     * A {@code nubo server} (a control-plane replica without a local agent) on the PostgreSQL at
     * {@code jdbcUrl}; several can share one database.
     */
    static ServerProcess replica(Path dataDir, String jdbcUrl, String dbUser, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--db-url", jdbcUrl, "--db-user", dbUser));
        args.addAll(List.of(extraArgs));
        return new ServerProcess("server", dataDir, args.toArray(new String[0]));
    }

    /** A {@code nubo server} with these arguments (the database's among them). */
    static ServerProcess server(Path dataDir, String... args) {
        return new ServerProcess("server", dataDir, args);
    }

    ServerProcess start() {
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xmx512m", "-Dnubo.home=" + repoRoot(), "-cp", System.getProperty("java.class.path"),
                "io.nubo.server.Main", command, "--data-dir", dataDir.toString(), "--port", Integer.toString(port)));
        cmd.addAll(extraArgs);
        try {
            Files.createDirectories(dataDir);
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("server-" + (++starts) + ".out").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + ": " + output());
            }
            return health() == 200;
        });
        return this;
    }

    String output() {
        try {
            return Files.readString(dataDir.resolve("server-" + starts + ".out"));
        } catch (IOException e) {
            return "";
        }
    }

    int health() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url() + "/healthz")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    String[] credentials() {
        try {
            String id = null;
            String secret = null;
            for (String line : Files.readAllLines(dataDir.resolve("credentials"))) {
                if (line.startsWith("aws_access_key_id")) {
                    id = line.split("=", 2)[1].trim();
                } else if (line.startsWith("aws_secret_access_key")) {
                    secret = line.split("=", 2)[1].trim();
                }
            }
            return new String[]{id, secret};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a REST call with the admin key; returns status and JSON. */
    Reply call(String method, String path, String body) throws IOException, InterruptedException {
        String[] k = credentials();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + "/api/v1" + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + k[0] + ":" + k[1]).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
    }

    record Reply(int status, JsonNode json) {
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: the process gets no chance to clean up. */
    void crash() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, then wait for the clean shutdown; returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        return process.waitFor();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (isAlive()) {
            stop();
        }
    }

    /**
     * Waits until no VM of this server is left: its instances directory is empty once the agent has
     * cleaned up every terminated one. Tests terminate what they launched and then wait here,
     * because VMs outlive their server by design.
     */
    void awaitNoVms() {
        await().atMost(Duration.ofMinutes(2)).until(() -> {
            Path d = dataDir.resolve("instances");
            if (!Files.isDirectory(d)) {
                return true;
            }
            try (java.util.stream.Stream<Path> s = Files.list(d)) {
                return s.findAny().isEmpty();
            }
        });
    }

    /**
     * Kills, by the pid files in this server's data dir, the VMs it left running: those of accounts
     * the test cannot terminate through the admin's key (the browser tests' tenants). A pid is
     * killed only while its command line still names this data dir, so a reused pid is left alone.
     * Call it after {@link #close()}; the test started these VMs, and its temporary directory is
     * about to go.
     */
    void killVmsLeftBehind() throws java.io.IOException {
        Path instances = dataDir.resolve("instances");
        if (!Files.isDirectory(instances)) {
            return;
        }
        try (java.util.stream.Stream<Path> dirs = Files.list(instances)) {
            for (Path pidFile : dirs.map(d -> d.resolve("qemu.pid")).filter(Files::isRegularFile).toList()) {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                Path cmdline = Path.of("/proc/" + pid + "/cmdline");
                if (Files.exists(cmdline) && Files.readString(cmdline).contains(dataDir.toString())) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    /** The checkout: tests run in the module's directory. */
    static Path repoRoot() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
