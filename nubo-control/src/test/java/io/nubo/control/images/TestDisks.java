package io.nubo.control.images;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Small disk images made with the real qemu-img, good and hostile, for the import tests. */
final class TestDisks {
    static final long MIB = 1 << 20;

    private TestDisks() {
    }

    /** A 4 MiB raw disk with 1 MiB of random data at its start (the rest is a hole). */
    static Path raw(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        byte[] data = new byte[(int) MIB];
        new Random(7).nextBytes(data);
        Files.write(p, data);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(4 * MIB);
        }
        return p;
    }

    /** The raw disk converted to {@code format}, saved under {@code name} (whatever its extension says). */
    static Path convert(Path dir, String format, String name) throws IOException {
        Path raw = raw(dir, name + ".src.raw");
        Path out = dir.resolve(name);
        run("qemu-img", "convert", "-q", "-f", "raw", "-O", format, raw.toString(), out.toString());
        Files.delete(raw);
        return out;
    }

    /** A qcow2 whose backing file is {@code backing} (e.g. /etc/shadow), as an attacker would craft it. */
    static Path withBackingFile(Path dir, String backing) throws IOException {
        Path p = dir.resolve("evil.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", "-b", backing, "-F", "raw", p.toString(), "1M");
        return p;
    }

    /** A qcow2 whose clusters live in an external data file. */
    static Path withDataFile(Path dir, String dataFile) throws IOException {
        Path p = dir.resolve("datafile.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + dataFile + ",data_file_raw=on", p.toString(), "1M");
        return p;
    }

    /** A VMDK descriptor whose only extent is another file. */
    static Path vmdkPointingAt(Path dir, String target) throws IOException {
        Path p = dir.resolve("flat.vmdk");
        Files.writeString(p, "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
                + "RW 2048 FLAT \"" + target + "\" 0\n");
        return p;
    }

    /** A VHD made by qemu-img convert -O vpc, then cut in half. */
    static Path truncatedVhd(Path dir) throws IOException {
        Path p = convert(dir, "vpc", "cut.vhd");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        return p;
    }

    /** An empty image of {@code bytes} virtual size: costs nothing, however large it claims to be. */
    static Path sized(Path dir, String format, long bytes) throws IOException {
        Path p = dir.resolve("sized." + format);
        run("qemu-img", "create", "-q", "-f", format, p.toString(), Long.toString(bytes));
        return p;
    }

    /** Every regular file under {@code root}. */
    static List<Path> filesUnder(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        if (Files.exists(root)) {
            try (var s = Files.walk(root)) {
                s.filter(Files::isRegularFile).forEach(out::add);
            }
        }
        return out;
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
