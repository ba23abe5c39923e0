package io.nubo.agent.qemu;

import io.nubo.qemu.QemuVm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Finds out how this host can run guests, by booting a real probe guest (a Linux kernel whose
 * initramfs prints {@code NUBO-PROBE-OK} on the serial port and powers off) rather than trusting
 * {@code /dev/kvm}: with nested virtualisation, KVM can open and then hang the guest kernel, and
 * {@code -cpu host} can abort. It tries KVM with the CPU models {@code host}, {@code max} and
 * QEMU's default, and falls back to TCG. The result is cached in the data dir, keyed by the
 * QEMU binary and version, the host kernel and the probe guest's content, so later starts (in this
 * data dir or another one on the same machine) skip the boots.
 * Stateless; one probe at a time per data dir.
 */
public final class HostProbe {
    private static final Logger LOG = LoggerFactory.getLogger(HostProbe.class);
    static final String MARKER = "NUBO-PROBE-OK";
    private static final Duration KVM_TIMEOUT = Duration.ofSeconds(6);
    private static final Duration TCG_TIMEOUT = Duration.ofSeconds(60);

    /** How guests run here. {@code cpuModel} is what {@code -cpu} gets. */
    public record Result(QemuVm.Accelerator accelerator, String cpuModel, String detail) {
        public String name() {
            return accelerator.qemuName();
        }
    }

    /** The probe guest: a kernel and an initramfs that prints {@link #MARKER} when booted with {@code nubo.probe}. */
    public record Guest(Path kernel, Path initrd) {
    }

    private HostProbe() {
    }

    public static Result probe(Path dataDir, Optional<Guest> guest, String qemuBinary) {
        Path cache = dataDir.resolve("host-probe.properties");
        // The probe describes the machine, not the data dir: other data dirs on this host reuse it.
        Path hostCache = Path.of(System.getProperty("user.home"), ".cache", "nubo", "host-probe.properties");
        String key = cacheKey(guest, qemuBinary);
        Optional<Result> cached = readCache(cache, key).or(() -> readCache(hostCache, key));
        if (cached.isPresent()) {
            LOG.info("host probe (cached): {} with -cpu {} ({})", cached.get().name(), cached.get().cpuModel(), cached.get().detail());
            return cached.get();
        }
        Result r = run(dataDir, guest, qemuBinary);
        LOG.info("host probe: {} with -cpu {} ({})", r.name(), r.cpuModel(), r.detail());
        writeCache(cache, key, r);
        try {
            Files.createDirectories(hostCache.getParent());
            writeCache(hostCache, key, r);
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("could not share the probe result in {}: {}", hostCache, e.toString());
        }
        return r;
    }

    private static Result run(Path dataDir, Optional<Guest> guest, String qemu) {
        if (guest.isEmpty()) {
            return new Result(QemuVm.Accelerator.TCG, "max", "no probe guest to prove KVM with");
        }
        Path kvm = Path.of("/dev/kvm");
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return new Result(QemuVm.Accelerator.TCG, "max", "no usable /dev/kvm");
        }
        List<String> tried = new ArrayList<>();
        for (String cpu : new String[]{"host", "max", "qemu64"}) {
            String outcome = boot(dataDir, guest.get(), qemu, "kvm", cpu, KVM_TIMEOUT);
            if (outcome.equals("ok")) {
                return new Result(QemuVm.Accelerator.KVM, cpu, "a guest booted under KVM with -cpu " + cpu);
            }
            tried.add("-cpu " + cpu + ": " + outcome);
        }
        String tcg = boot(dataDir, guest.get(), qemu, "tcg", "max", TCG_TIMEOUT);
        String detail = "KVM failed (" + String.join("; ", tried) + ")"
                + (tcg.equals("ok") ? "; a guest booted under TCG" : "; TCG probe: " + tcg);
        return new Result(QemuVm.Accelerator.TCG, "max", detail);
    }

    /** Boots the probe guest once; returns "ok", or what went wrong. Kills only the QEMU it started. */
    static String boot(Path dataDir, Guest guest, String qemu, String accel, String cpu, Duration timeout) {
        Path log = dataDir.resolve("host-probe-" + accel + "-" + cpu + ".log");
        Process p = null;
        try {
            Files.deleteIfExists(log);
            List<String> cmd = List.of(qemu, "-accel", accel, "-cpu", cpu, "-m", "128", "-smp", "1", "-nodefaults",
                    "-no-user-config", "-display", "none", "-no-reboot", "-kernel", guest.kernel().toString(),
                    "-initrd", guest.initrd().toString(), "-append", "console=ttyS0 quiet nubo.probe",
                    "-serial", "file:" + log);
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dataDir.resolve("host-probe-qemu.out").toFile()).start();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(MARKER)) {
                    return "ok";
                }
                if (p.waitFor(100, TimeUnit.MILLISECONDS)) {
                    if (Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(MARKER)) {
                        return "ok";
                    }
                    String out = Files.readString(dataDir.resolve("host-probe-qemu.out")).strip();
                    return "QEMU exited " + p.exitValue() + (out.isEmpty() ? "" : ": " + out.lines().findFirst().orElse(""));
                }
            }
            return "no marker within " + timeout.toSeconds() + " s (the guest hangs)";
        } catch (IOException e) {
            return "could not run " + qemu + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static String cacheKey(Optional<Guest> guest, String qemu) {
        StringBuilder b = new StringBuilder();
        b.append(qemu).append('|').append(System.getProperty("os.version")).append('|').append(qemuVersion(qemu)).append('|');
        guest.ifPresent(g -> b.append(fileStamp(g.kernel())).append('|').append(fileStamp(g.initrd())));
        b.append('|').append(Files.exists(Path.of("/dev/kvm")));
        return b.toString();
    }

    /** A file's content hash: the same probe guest gives the same key in every data dir. */
    private static String fileStamp(Path f) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return "missing";
        }
    }

    private static String qemuVersion(String qemu) {
        try {
            Process p = new ProcessBuilder(qemu, "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    private static Optional<Result> readCache(Path file, String key) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
            if (!key.equals(p.getProperty("key"))) {
                return Optional.empty();
            }
            return Optional.of(new Result(QemuVm.Accelerator.valueOf(p.getProperty("accelerator")), p.getProperty("cpu"),
                    p.getProperty("detail")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void writeCache(Path file, String key, Result r) {
        Properties p = new Properties();
        p.setProperty("key", key);
        p.setProperty("accelerator", r.accelerator().name());
        p.setProperty("cpu", r.cpuModel());
        p.setProperty("detail", r.detail());
        try (var w = Files.newBufferedWriter(file)) {
            p.store(w, "Nubo host probe; delete this file to probe again");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
