package io.nubo.control.images;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.qemu.ImageInfo;
import io.nubo.qemu.QemuException;
import io.nubo.qemu.QemuImg;

import java.nio.file.Path;
import java.util.Set;

/**
 * Decides whether a file is a disk image Nubo will keep, from what {@code qemu-img} says about
 * it (run under resource limits: a crafted header can make it allocate or loop), never from its
 * name. It refuses, with a message that says why, anything that could make a VM read a host
 * file or that would not boot: a backing file, a qcow2 external data file, a VMDK whose extents
 * are other files, encryption, a format outside the five, a virtual size over the limit, and a
 * file that is truncated or corrupt ({@code info} fails, or {@code check} finds errors).
 * Stateless and thread-safe.
 */
public final class DiskImageInspector {
    /** The formats Nubo imports, by qemu-img's names ({@code vpc} is VHD). */
    public static final Set<String> FORMATS = Set.of("qcow2", "raw", "vpc", "vhdx", "vmdk");
    /** qemu-img can check these; raw has no metadata and vpc has no checker (its info already refuses a truncated file). */
    private static final Set<String> CHECKABLE = Set.of("qcow2", "vhdx", "vmdk");
    private static final Set<String> SELF_CONTAINED_VMDK = Set.of("monolithicSparse", "streamOptimized");

    /** What an accepted image is. */
    public record Inspection(String format, long virtualSize, long actualSize) {
    }

    private final QemuImg qemuImg;

    public DiskImageInspector(QemuImg qemuImg) {
        this.qemuImg = qemuImg;
    }

    /** Inspects {@code file}; throws {@code InvalidDiskImage} with the reason when it is refused. */
    public Inspection inspect(Path file, long maxVirtualSize) {
        ImageInfo info;
        try {
            info = qemuImg.info(file);
        } catch (QemuException e) {
            throw refused(file, "qemu-img cannot open it (%s)", said(e));
        }
        String format = info.format();
        if (!FORMATS.contains(format)) {
            throw refused(file, "Its format is %s; Nubo imports qcow2, raw, vpc (VHD), vhdx and vmdk", format);
        }
        if (info.hasBackingFile()) {
            throw refused(file, "It is a %s image with a backing file (%s); an image must be self-contained", format,
                    info.backingFilename().orElseThrow());
        }
        if (info.dataFile().isPresent()) {
            throw refused(file, "It is a qcow2 image with an external data file (%s); an image must be self-contained",
                    info.dataFile().get());
        }
        if (format.equals("vmdk")) {
            checkVmdk(file, info);
        }
        if (info.encrypted()) {
            throw refused(file, "It is encrypted; Nubo cannot boot encrypted images");
        }
        if (info.virtualSize() <= 0) {
            throw refused(file, "It describes an empty disk");
        }
        if (info.virtualSize() > maxVirtualSize) {
            throw refused(file, "Its virtual size is %d bytes (%s), over this cloud's limit of %s", info.virtualSize(),
                    human(info.virtualSize()), human(maxVirtualSize));
        }
        if (CHECKABLE.contains(format)) {
            QemuImg.CheckResult check;
            try {
                check = qemuImg.check(file, format);
            } catch (QemuException e) {
                throw refused(file, "qemu-img check could not finish (%s)", said(e));
            }
            if (!check.clean()) {
                throw refused(file, "It is truncated or corrupt: qemu-img check found errors (%s)", check.message());
            }
        }
        return new Inspection(format, info.virtualSize(), info.actualSize());
    }

    private static void checkVmdk(Path file, ImageInfo info) {
        String createType = info.createType().orElse("unknown");
        if (!SELF_CONTAINED_VMDK.contains(createType)) {
            throw refused(file, "It is a %s VMDK, whose data lives in other files; import a monolithicSparse or streamOptimized VMDK",
                    createType);
        }
        for (String extent : info.extentFiles()) {
            if (!Path.of(extent).toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize())) {
                throw refused(file, "It is a VMDK with an extent in another file (%s); an image must be self-contained", extent);
            }
        }
    }

    /** What qemu-img itself said, without the command line Nubo ran. */
    private static String said(QemuException e) {
        String m = e.getMessage();
        int colon = m.indexOf("): ");
        String tail = colon >= 0 ? m.substring(colon + 3) : m;
        return tail.startsWith("qemu-img: ") ? tail.substring("qemu-img: ".length()) : tail;
    }

    /** The error, with the server's own path to the file taken out of what qemu-img said. */
    private static NuboException refused(Path file, String format, Object... args) {
        String message = "The disk image was refused: " + String.format(format, args);
        message = message.replace(file.toAbsolutePath().toString(), "<image>").replace(file.toString(), "<image>");
        return NuboException.of(ErrorCode.INVALID_DISK_IMAGE, "%s", message);
    }

    static String human(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " bytes" : String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
