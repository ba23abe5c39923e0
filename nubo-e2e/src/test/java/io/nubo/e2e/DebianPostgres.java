package io.nubo.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway cluster of Debian's own PostgreSQL server (package {@code postgresql}), as an
 * operator runs it for server replicas: initdb in a temporary directory, listening on a free
 * loopback port, stopped with {@code pg_ctl stop} on that directory and deleted. PostgreSQL will
 * not run as root, so under root the cluster belongs to the {@code postgres} user the package
 * creates.
 */
final class DebianPostgres implements AutoCloseable {
    static final String USER = "nubo";
    private final Path dir;
    private final Path bin;
    private final int port;

    private DebianPostgres(Path dir, Path bin, int port) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
    }

    static DebianPostgres start() throws Exception {
        Path bin = newestBin();
        Path dir = Files.createTempDirectory("nubo-debian-pg", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (isRoot()) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        DebianPostgres pg = new DebianPostgres(dir, bin, port);
        pg.run(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER, "--auth=trust", "-E", "UTF8");
        pg.run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=200", "start");
        return pg;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The libpq form, as {@code nubo server --db} takes it. */
    String uri() {
        return "postgresql://" + USER + "@127.0.0.1:" + port + "/postgres";
    }

    @Override
    public void close() throws Exception {
        try {
            run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void run(String... cmd) throws Exception {
        List<String> argv = new ArrayList<>();
        if (isRoot()) {
            argv.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        argv.addAll(List.of(cmd));
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest installed server's binaries: /usr/lib/postgresql/<version>/bin. */
    private static Path newestBin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("Debian's PostgreSQL server is not installed (apt-get install postgresql; ./nubo test does it)");
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+") && Files.isExecutable(v.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                    .map(v -> v.resolve("bin"))
                    .orElseThrow(() -> new IllegalStateException("no initdb under " + root + " (apt-get install postgresql)"));
        }
    }
}
