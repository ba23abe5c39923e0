package io.nubo.qemu;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a short-lived command with a deadline. Stateless and thread-safe. */
final class Exec {
    /** Enough for any qemu-img JSON we read; a tool that prints more is broken, and we keep only the start. */
    private static final int MAX_CAPTURE_BYTES = 4 << 20;

    record Result(int exitCode, String stdout, String stderr) {
    }

    private Exec() {
    }

    /** Runs {@code argv}, capturing its output; kills it and throws when {@code timeout} passes. */
    static Result run(List<String> argv, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process process = start(builder, argv);
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        int exit = waitFor(process, argv, timeout);
        return new Result(exit, join(stdout), join(stderr));
    }

    /**
     * Runs {@code argv}, handing each line of its standard output to {@code onLine} as it comes
     * (a line ends at {@code \n} or {@code \r}, as progress meters print), and capturing its
     * standard error; kills it and throws when {@code timeout} passes.
     */
    static Result runWatching(List<String> argv, Duration timeout, java.util.function.Consumer<String> onLine) {
        ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process process = start(builder, argv);
        CompletableFuture<String> stdout = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (InputStream in = process.getInputStream()) {
                StringBuilder line = new StringBuilder();
                int c;
                while ((c = in.read()) >= 0) {
                    if (c == '\n' || c == '\r') {
                        if (!line.isEmpty()) {
                            onLine.accept(line.toString());
                            line.setLength(0);
                        }
                    } else if (line.length() < 4096) {
                        line.append((char) c);
                    }
                }
                if (!line.isEmpty()) {
                    onLine.accept(line.toString());
                }
            } catch (IOException | RuntimeException e) {
                // The process is gone or the watcher failed; the exit code still tells.
            }
            stdout.complete("");
        });
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        int exit = waitFor(process, argv, timeout);
        return new Result(exit, join(stdout), join(stderr));
    }

    /**
     * Runs {@code argv} with its output going to {@code log}, not to a pipe: a daemonizing child
     * (QEMU) must not hold a pipe of ours open, or reading it to the end would wait for the VM.
     */
    static int runLogged(List<String> argv, Path log, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        return waitFor(start(builder, argv), argv, timeout);
    }

    private static Process start(ProcessBuilder builder, List<String> argv) {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new QemuException("cannot run " + argv.getFirst() + ": " + e.getMessage(), e);
        }
    }

    private static int waitFor(Process process, List<String> argv, Duration timeout) {
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                throw new QemuException(String.join(" ", argv) + ": killed after " + timeout.toMillis() + " ms");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new QemuException("interrupted while running " + argv.getFirst(), e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (stream) {
                byte[] kept = stream.readNBytes(MAX_CAPTURE_BYTES);
                // Discard the rest, so the child never blocks on a full pipe.
                stream.transferTo(OutputStream.nullOutputStream());
                text.complete(new String(kept, StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete("");
            }
        });
        return text;
    }

    private static String join(CompletableFuture<String> text) {
        try {
            return text.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (ExecutionException | TimeoutException e) {
            // The process exited but a grandchild still holds the pipe; what was read is lost, not the result.
            return "";
        }
    }
}
