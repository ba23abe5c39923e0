package io.nubo.agent.qemu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * The host's fence watchdog: a small shell process ({@code fence-watchdog.sh}) that kills the QEMUs
 * of the host's HA instances once the lease deadline the agent last wrote has passed. It is what
 * fences when the agent itself is dead: QEMU runs daemonized and outlives the agent by design, so
 * an agent killed with SIGKILL would otherwise leave its VMs running while the control plane starts
 * them on another host. It runs in its own session, outlives the agent, and a restarted agent finds
 * it again by its pid file instead of starting a second one. Thread-safe (a file-system protocol).
 */
public final class FenceWatchdog {
    private static final Logger LOG = LoggerFactory.getLogger(FenceWatchdog.class);
    private static final String SCRIPT = "fence-watchdog.sh";

    private FenceWatchdog() {
    }

    /** Starts the watchdog for {@code fenceDir} unless it already runs; returns its pid. */
    public static long ensureRunning(Path fenceDir, Path instancesDir) {
        try {
            Files.createDirectories(fenceDir);
            Path script = fenceDir.resolve(SCRIPT);
            Optional<Long> running = running(fenceDir);
            if (running.isPresent()) {
                return running.get();
            }
            byte[] content;
            try (InputStream in = FenceWatchdog.class.getResourceAsStream(SCRIPT)) {
                content = in.readAllBytes();
            }
            // A shell reads its script as it goes: a new version replaces the file, never rewrites it.
            Path tmp = fenceDir.resolve(SCRIPT + ".new");
            Files.write(tmp, content);
            Files.move(tmp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(fenceDir.resolve("watchdog.pid"));
            new ProcessBuilder("setsid", "sh", script.toString(), fenceDir.toString(), instancesDir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(fenceDir.resolve("watchdog.out").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline) {
                Optional<Long> pid = running(fenceDir);
                if (pid.isPresent()) {
                    LOG.info("fence watchdog for {} runs as pid {}", instancesDir, pid.get());
                    return pid.get();
                }
                Thread.sleep(20); // the script writes its pid file as its first act
            }
            throw new IllegalStateException("the fence watchdog did not start; see " + fenceDir.resolve("watchdog.out"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the fence watchdog", e);
        }
    }

    /** The pid of the watchdog of {@code fenceDir}, if it runs: its pid file names a live process whose command line is that script and dir. */
    public static Optional<Long> running(Path fenceDir) {
        try {
            long pid = Long.parseLong(Files.readString(fenceDir.resolve("watchdog.pid")).trim());
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            var args = Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
            return args.contains(fenceDir.resolve(SCRIPT).toString()) && args.contains(fenceDir.toString())
                    ? Optional.of(pid) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
