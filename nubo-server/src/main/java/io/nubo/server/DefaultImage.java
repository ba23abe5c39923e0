package io.nubo.server;

import io.nubo.agent.qemu.HostProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Nubo's default guest image in a data dir: {@code <data-dir>/images/nubo-default.qcow2}, with the
 * kernel and initramfs that the host probe boots. {@code images/default-image.sh} builds it from
 * Debian packages into a cache shared by all data dirs (keyed by the build's inputs), and this
 * class links it into the data dir. Built once; later starts find it there.
 */
final class DefaultImage {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultImage.class);
    private static final long BUILD_TIMEOUT_MINUTES = 20;

    /** The image and the probe guest that comes with it. */
    record Prepared(Path disk, Optional<HostProbe.Guest> probeGuest) {
    }

    private DefaultImage() {
    }

    static Path diskPath(Path dataDir) {
        return dataDir.resolve("images").resolve("nubo-default.qcow2");
    }

    /**
     * The disk size the default image's guests see, from its qcow2 header (a big-endian size at
     * byte 24, after the magic "QFI\xfb"); 0 if the file is missing or not qcow2. Read here
     * rather than with qemu-img, which would add a process to every server start.
     */
    static long virtualSize(Path disk) {
        try (var in = Files.newInputStream(disk)) {
            java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(in.readNBytes(32));
            if (header.remaining() < 32 || header.getInt(0) != 0x514649fb) {
                return 0;
            }
            return header.getLong(24);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * For a server without a host of its own (a replica): the default image's disk in the shared
     * pool, where every replica registers the same location and every host that mounts the pool
     * reads it. A failure is logged, not fatal.
     */
    static Path ensureOnSharedPool(Path sharedPool, Path nuboHome) {
        Path disk = sharedPool.resolve("images").resolve("nubo-default.qcow2");
        try {
            if (!Files.exists(disk)) {
                Path built = build(nuboHome).get("disk");
                Files.createDirectories(disk.getParent());
                link(built, disk);
            }
        } catch (IOException | RuntimeException e) {
            // A replica serves the API without it; hosts that launch the default image report the missing file.
            LOG.warn("could not set up the default image in {}: {}", disk.getParent(), e.getMessage());
        }
        return disk;
    }

    static Prepared ensure(Path dataDir, Path nuboHome) {
        Path images = dataDir.resolve("images");
        Path disk = diskPath(dataDir);
        Path kernel = images.resolve("nubo-default.vmlinuz");
        Path initrd = images.resolve("nubo-default.initrd");
        try {
            if (!Files.exists(disk) || !Files.exists(kernel) || !Files.exists(initrd)) {
                Map<String, Path> built = build(nuboHome);
                Files.createDirectories(images);
                link(built.get("disk"), disk);
                link(built.get("kernel"), kernel);
                link(built.get("initrd"), initrd);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not set up the default image in " + images, e);
        }
        return new Prepared(disk, Optional.of(new HostProbe.Guest(kernel, initrd)));
    }

    /** Runs images/default-image.sh, which builds into its cache when needed and prints where the files are. */
    private static Map<String, Path> build(Path nuboHome) throws IOException {
        Path script = nuboHome.resolve("images/default-image.sh");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("cannot build the default image: " + script + " is missing (set NUBO_HOME to the Nubo checkout)");
        }
        LOG.info("preparing the default guest image with {} (the first build takes a few minutes)", script);
        Process p = new ProcessBuilder(List.of("bash", script.toString())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("the default image build did not finish in " + BUILD_TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the default image", e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("the default image build failed (exit " + p.exitValue() + "); see the messages above");
        }
        Map<String, Path> files = new HashMap<>();
        out.lines().filter(l -> l.contains("=")).forEach(l -> files.put(l.substring(0, l.indexOf('=')), Path.of(l.substring(l.indexOf('=') + 1))));
        for (String k : List.of("disk", "kernel", "initrd")) {
            if (!files.containsKey(k) || !Files.isRegularFile(files.get(k))) {
                throw new IllegalStateException("the default image build did not report its " + k + " file");
            }
        }
        return files;
    }

    private static void link(Path from, Path to) throws IOException {
        // Named for this process: replicas starting together may set up the same shared file at once.
        Path tmp = to.resolveSibling(to.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createLink(tmp, from);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
