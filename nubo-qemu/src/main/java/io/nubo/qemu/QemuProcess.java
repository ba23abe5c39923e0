package io.nubo.qemu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One running, daemonized QEMU, known by its pid and start time, so a pid the kernel has given to
 * another process since is never mistaken for it. QEMU outlives the agent: after a restart,
 * {@link #adopt} finds it again from its instance directory.
 *
 * <p>Immutable and thread-safe. It does not own the process: dropping a handle leaves QEMU
 * running; only {@link #kill()} (or QMP's {@code quit}) ends it.
 */
public final class QemuProcess {
    public static final Duration DEFAULT_LAUNCH_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(QemuProcess.class);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final long pid;
    private final long startTime;
    private final String instanceId;
    private final InstanceDir dir;

    private QemuProcess(long pid, long startTime, String instanceId, InstanceDir dir) {
        this.pid = pid;
        this.startTime = startTime;
        this.instanceId = instanceId;
        this.dir = dir;
    }

    /** Launches {@code vm} with {@link QemuCommandLine#DEFAULT_BINARY}; see {@link #launch(QemuVm, String, Duration)}. */
    public static QemuProcess launch(QemuVm vm) {
        return launch(vm, QemuCommandLine.DEFAULT_BINARY, DEFAULT_LAUNCH_TIMEOUT);
    }

    /**
     * Writes the argv to the instance directory's {@code cmdline} file and runs it. With
     * {@code -daemonize}, the launcher returns once QEMU has set the machine up and detached, so
     * a bad option, a missing disk or a locked image fails here, with QEMU's message.
     *
     * @throws QemuException when this instance's QEMU already runs, when QEMU refuses to start
     *                       (the message carries its output, also kept in {@code launch.log}), or
     *                       when it does not detach within {@code timeout}
     */
    public static QemuProcess launch(QemuVm vm, String binary, Duration timeout) {
        InstanceDir dir = vm.dir();
        Optional<QemuProcess> running = adopt(dir.dir(), vm.instanceId());
        if (running.isPresent()) {
            throw new QemuException("QEMU for " + vm.instanceId() + " already runs as pid " + running.get().pid());
        }
        List<String> argv = QemuCommandLine.argv(binary, vm);
        try {
            Files.createDirectories(dir.dir());
            // A stale pid file from a killed QEMU must not be read back as the new one's.
            Files.deleteIfExists(dir.pidFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir.dir(), e);
        }
        QemuCommandLine.write(dir.cmdlineFile(), argv);
        int exit;
        try {
            exit = Exec.runLogged(argv, dir.launchLog(), timeout);
        } catch (QemuException e) {
            // The launcher hung, but QEMU may have daemonized all the same: leave no half-known VM behind.
            adopt(dir.dir(), vm.instanceId()).ifPresent(QemuProcess::kill);
            throw e;
        }
        if (exit != 0) {
            throw new QemuException("QEMU for " + vm.instanceId() + " failed to start (exit " + exit + "): "
                    + readQuietly(dir.launchLog()).strip());
        }
        QemuProcess process = adopt(dir.dir(), vm.instanceId()).orElseThrow(() -> new QemuException(
                "QEMU for " + vm.instanceId() + " daemonized but is not running; pid file " + dir.pidFile()
                        + " says " + readQuietly(dir.pidFile()).strip()));
        LOG.info("Started QEMU for {} as pid {}", vm.instanceId(), process.pid());
        return process;
    }

    /**
     * Finds the running QEMU of {@code instanceId} from the pid file in {@code dir}. The pid must
     * be alive and its {@code /proc/<pid>/cmdline} must carry both {@code -name guest=<instanceId>}
     * and this directory's pid file path; a stale pid file whose pid now belongs to another
     * process yields empty, never a handle to that process.
     */
    public static Optional<QemuProcess> adopt(Path dir, String instanceId) {
        InstanceDir instanceDir = new InstanceDir(dir);
        OptionalLong pid = readPid(instanceDir.pidFile());
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        OptionalLong before = ProcFs.startTimeIfAlive(pid.getAsLong());
        if (before.isEmpty()) {
            return Optional.empty();
        }
        Optional<List<String>> argv = ProcFs.cmdline(pid.getAsLong());
        // Read the start time again: if the pid changed hands while we read cmdline, that cmdline is not proof.
        OptionalLong after = ProcFs.startTimeIfAlive(pid.getAsLong());
        if (argv.isEmpty() || after.isEmpty() || after.getAsLong() != before.getAsLong()) {
            return Optional.empty();
        }
        if (!isQemuOf(argv.get(), instanceId, instanceDir)) {
            LOG.warn("Pid file {} names pid {}, which is not the QEMU of {}; not adopting it",
                    instanceDir.pidFile(), pid.getAsLong(), instanceId);
            return Optional.empty();
        }
        return Optional.of(new QemuProcess(pid.getAsLong(), before.getAsLong(), instanceId, instanceDir));
    }

    static boolean isQemuOf(List<String> argv, String instanceId, InstanceDir dir) {
        String name = "guest=" + instanceId;
        boolean named = argv.stream().anyMatch(arg -> arg.equals(name) || arg.startsWith(name + ","));
        boolean inDir = argv.contains(dir.pidFile().toString());
        return named && inDir;
    }

    public long pid() {
        return pid;
    }

    public String instanceId() {
        return instanceId;
    }

    public InstanceDir dir() {
        return dir;
    }

    /** Whether this very process (same pid and start time) still runs; a zombie does not. */
    public boolean isAlive() {
        OptionalLong now = ProcFs.startTimeIfAlive(pid);
        return now.isPresent() && now.getAsLong() == startTime;
    }

    /**
     * Sends SIGKILL, if the process is still this QEMU. The guest gets no warning; for a clean
     * stop use QMP ({@code system_powerdown}, then {@code quit}). Returns at once; use
     * {@link #awaitExit} to wait. QEMU leaves its pid file behind, which {@link #adopt} ignores.
     */
    public void kill() {
        if (!isAlive()) {
            return;
        }
        // ProcessHandle checks its own start time before signalling, which closes the remaining race.
        ProcessHandle.of(pid).ifPresent(handle -> {
            if (!handle.destroyForcibly() && isAlive()) {
                throw new QemuException("cannot kill QEMU pid " + pid + " of " + instanceId);
            }
        });
    }

    /**
     * Waits until the process has exited, up to {@code timeout}; returns whether it has. QEMU is not
     * this JVM's child, so there is no exit status to collect: this polls {@code /proc}.
     */
    public boolean awaitExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isAlive()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return !isAlive();
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "QemuProcess[" + instanceId + " pid " + pid + "]";
    }

    private static OptionalLong readPid(Path pidFile) {
        String text = readQuietly(pidFile).strip();
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long pid = Long.parseLong(text);
            return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            LOG.warn("Pid file {} holds no pid: {}", pidFile, text);
            return OptionalLong.empty();
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
