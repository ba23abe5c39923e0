package io.nubo.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code nubo agent} in a child JVM, on its own data dir: another host as far as the server
 * can tell. Tests stop it by its own pid only.
 */
final class AgentProcess implements AutoCloseable {
    final Path dataDir;
    private final List<String> args;
    private Process process;
    private int starts;

    AgentProcess(Path dataDir, String... args) {
        this.dataDir = dataDir;
        this.args = List.of(args);
    }

    /** Starts the agent with these arguments plus the ones given at construction. */
    AgentProcess start(String... more) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
                "-Dnubo.home=" + ServerProcess.repoRoot(), "-cp", System.getProperty("java.class.path"), "io.nubo.server.Main", "agent",
                "--data-dir", dataDir.toString()));
        cmd.addAll(args);
        cmd.addAll(List.of(more));
        try {
            Files.createDirectories(dataDir);
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("agent-" + (++starts) + ".out").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    String output() {
        try {
            return Files.readString(dataDir.resolve("agent-" + starts + ".out"));
        } catch (IOException e) {
            return "";
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    int exitCode() throws InterruptedException {
        return process.waitFor();
    }

    /** SIGKILL: no chance to clean up. */
    void crash() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (isAlive()) {
            process.destroy();
            process.waitFor();
        }
        stopFenceWatchdog();
    }

    /**
     * A QEMU agent leaves its fence watchdog running by design (it fences when the agent is dead);
     * the test started it, so the test stops it, by the pid in its pid file and only while that
     * pid's command line names this data dir.
     */
    void stopFenceWatchdog() {
        try {
            long pid = Long.parseLong(Files.readString(dataDir.resolve("agent").resolve("fence").resolve("watchdog.pid")).trim());
            ProcessHandle.of(pid).filter(p -> p.info().commandLine().orElse("").contains(dataDir.toString())).ifPresent(ProcessHandle::destroy);
        } catch (IOException | NumberFormatException e) {
            // no watchdog: a fake-driver agent, or it never started
        }
    }
}
