package io.nubo.agent.qemu;

import io.nubo.core.spi.VmSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds a VM's config drive: an ISO 9660 image labelled {@code cidata} in cloud-init's NoCloud
 * layout ({@code meta-data} with instance-id, local-hostname and public-keys, and
 * {@code user-data}), which Nubo's default image and cloud-init both read with no network.
 * Stateless and thread-safe.
 */
final class ConfigDrive {
    private static final List<String> ISO_TOOLS = List.of("genisoimage", "xorrisofs", "mkisofs");

    private ConfigDrive() {
    }

    /** Writes {@code <dir>/cidata.iso} for {@code spec}, replacing an older one; returns its path. */
    static Path write(Path dir, VmSpec spec) {
        Path staging = dir.resolve("cidata");
        Path iso = dir.resolve("cidata.iso");
        try {
            deleteTree(staging);
            Files.createDirectories(staging);
            Files.writeString(staging.resolve("meta-data"), metaData(spec));
            byte[] userData = spec.userData() == null ? new byte[0] : Base64.getMimeDecoder().decode(spec.userData());
            Files.write(staging.resolve("user-data"), userData);
            Path tmp = dir.resolve("cidata.iso.tmp");
            Files.deleteIfExists(tmp);
            run(List.of(isoTool(), "-quiet", "-output", tmp.toString(), "-volid", "cidata", "-joliet", "-rock", staging.toString()));
            Files.move(tmp, iso, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            deleteTree(staging);
            return iso;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the config drive in " + dir, e);
        }
    }

    /** NoCloud meta-data (YAML). Values are quoted so that no input can change its structure. */
    static String metaData(VmSpec spec) {
        StringBuilder b = new StringBuilder();
        b.append("instance-id: ").append(quote(spec.instanceId())).append('\n');
        b.append("local-hostname: ").append(quote(spec.hostname())).append('\n');
        if (spec.publicKey() != null) {
            b.append("public-keys:\n  - ").append(quote(spec.publicKey())).append('\n');
        }
        return b.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
    }

    private static String isoTool() {
        for (String tool : ISO_TOOLS) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                if (Files.isExecutable(Path.of(dir, tool))) {
                    return tool;
                }
            }
        }
        throw new IllegalStateException("no ISO tool found for config drives: install genisoimage (apt-get install genisoimage)");
    }

    private static void run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.get(0) + " did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(cmd.get(0) + " failed: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
