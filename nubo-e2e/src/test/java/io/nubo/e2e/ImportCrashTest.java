package io.nubo.e2e;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An import survives its server's death: the server is killed (SIGKILL) halfway through a
 * download; once restarted, the import is taken over when its lease runs out, finishes, and
 * nothing the dead server wrote is left on the pool.
 */
class ImportCrashTest {
    @Test
    void anImportInterruptedByAServerCrashIsRetriedAndLeavesNoFileBehind(@TempDir Path dir) throws Exception {
        Path disk = dir.resolve("disk.raw");
        byte[] block = new byte[1 << 20];
        new Random(5).nextBytes(block);
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            for (int i = 0; i < 32; i++) {
                f.write(block);
            }
        }
        HttpServer http = slowServer(disk);
        try (ServerProcess server = new ServerProcess(dir.resolve("data"), "--driver", "fake").start()) {
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/disk.raw";
            ServerProcess.Reply r = server.call("POST", "/images/import", "{\"name\":\"crash\",\"url\":\"" + url + "\",\"format\":\"qcow2\"}");
            assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
            String id = r.json().path("imageId").asText();
            Path pool = server.dataDir.resolve("pools/shared/images");
            Path part = pool.resolve(".work").resolve(id).resolve("source.part");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(part) && Files.size(part) > (2 << 20));

            server.crash();
            assertThat(part).as("the dead server's half download").exists();
            server.start();

            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !server.call("GET", "/images/" + id, null).json().path("state").asText().equals("pending"));
            var image = server.call("GET", "/images/" + id, null).json();
            assertThat(image.path("state").asText()).as(image.toString()).isEqualTo("available");
            assertThat(image.path("format").asText()).isEqualTo("qcow2");
            assertThat(filesUnder(pool)).containsExactly(pool.resolve(id + ".qcow2"));
            var pools = server.call("GET", "/storage-pools", null).json();
            assertThat(pools.get(0).path("usedBytes").asLong()).isEqualTo(image.path("sizeBytes").asLong());
            var events = server.call("GET", "/events?limit=1000", null).json().path("events");
            assertThat(events.toString()).contains("imported as qcow2");
        } finally {
            http.stop(0);
        }
    }

    /** Serves the file at 2 MiB a second, so that a crash lands halfway through the download. */
    private static HttpServer slowServer(Path file) throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/disk.raw", ex -> {
            try (ex) {
                ex.sendResponseHeaders(200, Files.size(file));
                byte[] all = Files.readAllBytes(file);
                try (OutputStream out = ex.getResponseBody()) {
                    for (int at = 0; at < all.length; at += 256 << 10) {
                        out.write(all, at, Math.min(256 << 10, all.length - at));
                        out.flush();
                        // The source's pace, not a wait of the test: 256 KiB per 125 ms.
                        TimeUnit.MILLISECONDS.sleep(125);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } catch (java.io.IOException e) {
                // The client went away (the crash): nothing to do.
            }
        });
        http.start();
        return http;
    }

    private static List<Path> filesUnder(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
