package io.nubo.api.images;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** Disk images made with the real qemu-img, and a loopback HTTP server to import them from. */
public final class Disks {
    private Disks() {
    }

    /** A small disk in {@code format}: 4 MiB, its first MiB random. */
    public static Path make(Path dir, String format, String name) throws IOException {
        Path raw = dir.resolve(name + ".raw-src");
        byte[] data = new byte[1 << 20];
        new Random(11).nextBytes(data);
        Files.write(raw, data);
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(4 << 20);
        }
        Path out = dir.resolve(name);
        run("qemu-img", "convert", "-q", "-f", "raw", "-O", format, raw.toString(), out.toString());
        Files.delete(raw);
        return out;
    }

    /** A qcow2 whose backing file is /etc/shadow. */
    public static Path shadowBacked(Path dir) throws IOException {
        Path p = dir.resolve("shadow.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "/etc/shadow", "-F", "raw", p.toString(), "1M");
        return p;
    }

    /** A VHD cut in half. */
    public static Path truncatedVhd(Path dir) throws IOException {
        Path p = make(dir, "vpc", "cut.vhd");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        return p;
    }

    public static String sha256(Path p) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<Path> filesUnder(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        if (Files.exists(root)) {
            try (var s = Files.walk(root)) {
                s.filter(Files::isRegularFile).forEach(out::add);
            }
        }
        return out;
    }

    /** Serves one directory's files on 127.0.0.1; stop it with {@code stop(0)}. */
    public static HttpServer serve(Path dir) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            try (ex) {
                Path f = dir.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
                if (!f.startsWith(dir) || !Files.isRegularFile(f)) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.sendResponseHeaders(200, Files.size(f));
                try (OutputStream out = ex.getResponseBody()) {
                    Files.copy(f, out);
                }
            }
        });
        server.start();
        return server;
    }

    public static String url(HttpServer server, String file) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + file;
    }

    static void run(String... argv) throws IOException {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(String.join(" ", argv) + ": " + out).isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
