package io.nubo.agent.qemu;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nubo.agent.remote.HttpAgentChannel;
import io.nubo.qemu.QemuImg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A remote agent's image cache downloading through the real {@link HttpAgentChannel} from an HTTP
 * server that answers as {@code GET /agent/v1/images/{id}} does, and that can be told to lie about
 * the digest or to break off mid-file.
 */
class ImageCacheDownloadTest {
    private static final String IMAGE = "ami-0123456789abcdef0";

    @TempDir
    Path tmp;
    private HttpServer server;
    private byte[] image;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile String advertisedSha;
    /** Bytes to send before breaking off; negative: send everything. */
    private volatile int breakAfter = -1;
    private ImageCache cache;

    @BeforeEach
    void setUp() throws Exception {
        Path disk = tmp.resolve("source.qcow2");
        Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "64M").inheritIO().start();
        assertThat(p.waitFor()).isZero();
        // Some data in it, so that the file is larger than its header.
        byte[] header = Files.readAllBytes(disk);
        image = new byte[header.length + 300_000];
        System.arraycopy(header, 0, image, 0, header.length);
        advertisedSha = sha256(image);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/agent/v1/images/", this::serve);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        cache = new ImageCache(tmp.resolve("agent").resolve("images"), new QemuImg(), Duration.ZERO, Duration.ofSeconds(1));
        cache.downloadFrom(new HttpAgentChannel(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "nhc-test.secret"));
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    private void serve(HttpExchange x) throws IOException {
        String range = x.getRequestHeaders().getFirst("Range");
        requests.add(x.getRequestURI().getPath() + (range == null ? "" : " " + range));
        if (!("Bearer nhc-test.secret").equals(x.getRequestHeaders().getFirst("Authorization"))
                || !x.getRequestURI().getPath().endsWith("/" + IMAGE)) {
            x.sendResponseHeaders(404, -1);
            x.close();
            return;
        }
        int from = range == null ? 0 : Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
        x.getResponseHeaders().add("X-Nubo-Image-Sha256", advertisedSha);
        x.getResponseHeaders().add("X-Nubo-Image-Size", Integer.toString(image.length));
        if (from > 0) {
            x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (image.length - 1) + "/" + image.length);
        }
        x.sendResponseHeaders(from > 0 ? 206 : 200, image.length - from);
        try (OutputStream out = x.getResponseBody()) {
            int end = breakAfter < 0 ? image.length : Math.min(image.length, from + breakAfter);
            out.write(image, from, end - from);
            out.flush();
        } catch (IOException e) {
            // Closing short of the promised length leaves the client waiting, as a stalled server or network would.
        }
    }

    @Test
    void anImageIsDownloadedOnceVerifiedAndServedFromTheCacheAfterwards() throws Exception {
        var pool = Executors.newVirtualThreadPerTaskExecutor();
        Future<Path> one = pool.submit(() -> cache.ensure(IMAGE, "qcow2", "/nowhere/on/this/host.qcow2", false));
        Future<Path> two = pool.submit(() -> cache.ensure(IMAGE, "qcow2", "/nowhere/on/this/host.qcow2", false));
        Path cached = one.get(60, TimeUnit.SECONDS);
        assertThat(two.get(60, TimeUnit.SECONDS)).isEqualTo(cached);
        assertThat(cached).isEqualTo(cache.cachedFile(IMAGE, "qcow2"));
        assertThat(sha256(Files.readAllBytes(cached))).isEqualTo(sha256(image));
        assertThat(requests).hasSize(1);
        // A cache hit asks the server nothing.
        assertThat(cache.ensure(IMAGE, "qcow2", "/nowhere/on/this/host.qcow2", false)).isEqualTo(cached);
        assertThat(requests).hasSize(1);
        assertThat(Files.list(cached.getParent()).map(p -> p.getFileName().toString())).containsExactly(IMAGE + ".qcow2");
    }

    @Test
    void aFileWhoseDigestDoesNotMatchIsRefusedAndLeavesNothingBehind() {
        advertisedSha = "0".repeat(64);
        assertThatThrownBy(() -> cache.ensure(IMAGE, "qcow2", "/nowhere.qcow2", false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("downloaded from the server is corrupt")
                .hasMessageContaining(sha256(image));
        assertThat(cache.cachedFile(IMAGE, "qcow2")).doesNotExist();
        assertThat(cache.cachedFile(IMAGE, "qcow2").resolveSibling(IMAGE + ".qcow2.part")).doesNotExist();
        // Not retried with the same bytes: one request.
        assertThat(requests).hasSize(1);
    }

    @Test
    void aDownloadThatBreaksOffIsNeverTakenAsCompleteAndResumesWhereItStopped() throws Exception {
        breakAfter = 100_000;
        // Each try stalls mid-file (resuming where the last stopped): the launch fails, and no cached file looks whole.
        assertThatThrownBy(() -> cache.ensure(IMAGE, "qcow2", "/nowhere.qcow2", false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("could not download image " + IMAGE)
                .hasMessageContaining("stalled");
        assertThat(Thread.interrupted()).isFalse();
        Path cached = cache.cachedFile(IMAGE, "qcow2");
        assertThat(cached).doesNotExist();
        Path part = cached.resolveSibling(IMAGE + ".qcow2.part");
        assertThat(part).exists();
        long had = Files.size(part);
        assertThat(had).isEqualTo(3L * breakAfter);
        assertThat(requests).containsExactly("/agent/v1/images/" + IMAGE, "/agent/v1/images/" + IMAGE + " bytes=100000-",
                "/agent/v1/images/" + IMAGE + " bytes=200000-");

        // The server sends it all again: the next launch resumes from what the last one kept.
        requests.clear();
        breakAfter = -1;
        assertThat(cache.ensure(IMAGE, "qcow2", "/nowhere.qcow2", false)).isEqualTo(cached);
        assertThat(sha256(Files.readAllBytes(cached))).isEqualTo(sha256(image));
        assertThat(requests).containsExactly("/agent/v1/images/" + IMAGE + " bytes=" + had + "-");
        assertThat(part).doesNotExist();
    }

    @Test
    void aPartialFileThatACrashLeftTornIsFetchedAgainFromTheStart() throws Exception {
        Path part = cache.cachedFile(IMAGE, "qcow2").resolveSibling(IMAGE + ".qcow2.part");
        Files.createDirectories(part.getParent());
        Files.write(part, new byte[150_000]);
        Path cached = cache.ensure(IMAGE, "qcow2", "/nowhere.qcow2", false);
        assertThat(sha256(Files.readAllBytes(cached))).isEqualTo(sha256(image));
        assertThat(requests).containsExactly("/agent/v1/images/" + IMAGE + " bytes=150000-", "/agent/v1/images/" + IMAGE);
    }

    @Test
    void anImageOnASharedPoolThisHostMountsIsReadThereAndNeverDownloaded() throws Exception {
        Path onPool = tmp.resolve("pool").resolve("image.qcow2");
        Files.createDirectories(onPool.getParent());
        Files.write(onPool, image);
        Path cached = cache.ensure(IMAGE, "qcow2", onPool.toString(), true);
        assertThat(Files.readAllBytes(cached)).isEqualTo(image);
        assertThat(requests).isEmpty();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
