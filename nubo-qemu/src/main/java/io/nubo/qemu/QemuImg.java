package io.nubo.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code qemu-img}: inspects, creates and converts disk images.
 *
 * <p>Every run has a wall-clock timeout, and, when {@code prlimit} (util-linux) is on the PATH,
 * an address-space and CPU-time limit, as OpenStack does: a crafted image header can make
 * {@code qemu-img info} allocate or loop without bound. Without {@code prlimit} only the
 * timeout applies; this is logged once. The default limits (1 GiB, 30 CPU-seconds) suit
 * {@code info} and {@code create}; a large {@code convert} needs a {@link QemuImg} with more CPU time.
 *
 * <p>Immutable and thread-safe.
 */
public final class QemuImg {
    private static final Logger LOG = LoggerFactory.getLogger(QemuImg.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FORMAT = Pattern.compile("[a-z0-9]+");
    private static final Pattern PROGRESS = Pattern.compile("\\((\\d+(?:\\.\\d+)?)/100%\\)");

    /** Resource limits for one qemu-img run. Immutable. */
    public record Limits(long addressSpaceBytes, Duration cpuTime) {
        /** OpenStack's limits for {@code qemu-img info}: 1 GiB of address space, 30 s of CPU. */
        public static final Limits DEFAULT = new Limits(1L << 30, Duration.ofSeconds(30));

        public Limits {
            if (addressSpaceBytes <= 0 || cpuTime.isNegative() || cpuTime.isZero()) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }
    }

    private final String binary;
    private final Duration timeout;
    private static final long THREAD_STACK_BYTES = 2L << 20;
    private final Limits limits;
    private final Optional<Path> prlimit;

    /** {@code qemu-img} from the PATH, a 60 s timeout and {@link Limits#DEFAULT}. */
    public QemuImg() {
        this("qemu-img", Duration.ofSeconds(60), Limits.DEFAULT);
    }

    public QemuImg(String binary, Duration timeout, Limits limits) {
        this.binary = Objects.requireNonNull(binary, "binary");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.prlimit = findOnPath("prlimit");
        if (prlimit.isEmpty()) {
            LOG.warn("prlimit not found; qemu-img runs with a timeout but no memory or CPU limit");
        }
    }

    /** Whether runs are confined by {@code prlimit}, not only by the timeout. */
    public boolean limited() {
        return prlimit.isPresent();
    }

    /**
     * Inspects an image, letting qemu-img probe its format. Opens it with {@code -U} (shared), so
     * an image a running VM holds can still be inspected. For an image from an untrusted source,
     * read it once this way to learn its format, and reject it if it {@link ImageInfo#hasBackingFile()}.
     */
    public ImageInfo info(Path image) {
        return ImageInfo.fromJson(json(infoArgs(image, Optional.empty(), false)));
    }

    /** Inspects an image of a known format, with no probing. */
    public ImageInfo info(Path image, String format) {
        return ImageInfo.fromJson(json(infoArgs(image, Optional.of(checkFormat(format)), false)));
    }

    /** The image and every backing file under it, top first. */
    public List<ImageInfo> backingChain(Path image) {
        JsonNode chain = json(infoArgs(image, Optional.empty(), true));
        List<ImageInfo> infos = new ArrayList<>();
        chain.forEach(node -> infos.add(ImageInfo.fromJson(node)));
        return List.copyOf(infos);
    }

    /**
     * Creates an empty image of {@code sizeBytes}. Refuses to replace an existing file, because
     * qemu-img itself would silently overwrite it, data and all.
     */
    public void create(Path path, String format, long sizeBytes) {
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("size must be positive: " + sizeBytes);
        }
        refuseExisting(path);
        run(List.of("create", "-q", "-f", checkFormat(format), path.toString(), Long.toString(sizeBytes)));
    }

    /**
     * Creates a qcow2 overlay on {@code base}, the same size as the base. The overlay records
     * {@code base}'s absolute path and its format ({@code -F}), so QEMU never probes the base.
     */
    public void createOverlay(Path base, String baseFormat, Path overlay) {
        refuseExisting(overlay);
        run(List.of("create", "-q", "-f", "qcow2", "-b", base.toAbsolutePath().toString(),
                "-F", checkFormat(baseFormat), overlay.toString()));
    }

    /**
     * Points an existing qcow2 overlay at another copy of its base ({@code rebase -u}: only the header
     * changes, no data is read or written). For a disk on shared storage opened on another host, whose
     * copy of the same base image lives elsewhere; the caller guarantees the content is the same and
     * that nothing has the overlay open.
     */
    public void rebaseUnsafe(Path overlay, Path base, String baseFormat) {
        run(List.of("rebase", "-u", "-f", "qcow2", "-b", base.toAbsolutePath().toString(), "-F", checkFormat(baseFormat), overlay.toString()));
    }

    /** Creates a qcow2 overlay on {@code base} that is {@code sizeBytes} large (at least the base's size), e.g. a bigger root disk. */
    public void createOverlay(Path base, String baseFormat, Path overlay, long sizeBytes) {
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("size must be positive: " + sizeBytes);
        }
        refuseExisting(overlay);
        run(List.of("create", "-q", "-f", "qcow2", "-b", base.toAbsolutePath().toString(),
                "-F", checkFormat(baseFormat), overlay.toString(), Long.toString(sizeBytes)));
    }

    /** Converts {@code source} to a new standalone image (no backing file) at {@code target}. */
    public void convert(Path source, String sourceFormat, Path target, String targetFormat) {
        refuseExisting(target);
        run(List.of("convert", "-q", "-f", checkFormat(sourceFormat), "-O", checkFormat(targetFormat),
                source.toString(), target.toString()));
    }

    /**
     * Converts as {@link #convert(Path, String, Path, String)} does, reporting qemu-img's own
     * progress meter ({@code -p}) to {@code progress} as a percentage from 0 to 100. The source
     * format is always given, so an untrusted file is never probed a second time.
     */
    public void convert(Path source, String sourceFormat, Path target, String targetFormat, IntConsumer progress) {
        convert(source, sourceFormat, target, targetFormat, false, progress);
    }

    /**
     * As {@link #convert(Path, String, Path, String, IntConsumer)}; with {@code directWrites}, the
     * output is written with O_DIRECT ({@code -t none}), so it is on disk when qemu-img exits.
     * qemu-img's default for the output is {@code unsafe}: it returns while its output is still in
     * the page cache, and a caller that needs the file durable pays a long fsync afterwards. The
     * target's file system must support O_DIRECT (tmpfs does not).
     */
    public void convert(Path source, String sourceFormat, Path target, String targetFormat, boolean directWrites,
                        IntConsumer progress) {
        refuseExisting(target);
        List<String> args = new ArrayList<>(List.of("convert", "-p", "-f", checkFormat(sourceFormat), "-O", checkFormat(targetFormat)));
        if (directWrites) {
            args.addAll(List.of("-t", "none"));
        }
        args.addAll(List.of(source.toString(), target.toString()));
        Exec.Result result = Exec.runWatching(argv(args), timeout, line -> {
            Matcher m = PROGRESS.matcher(line);
            if (m.find()) {
                progress.accept((int) Math.min(100, Double.parseDouble(m.group(1))));
            }
        });
        if (result.exitCode() != 0) {
            throw new QemuException("qemu-img convert of " + source + " failed (exit " + result.exitCode() + "): " + brief(result.stderr()));
        }
    }

    /** What {@code qemu-img check} found. {@code supported} is false for formats it cannot check (raw, vpc). */
    public record CheckResult(boolean supported, boolean clean, String message) {
    }

    /**
     * Checks an image's metadata for consistency: a truncated or corrupt qcow2, VHDX or VMDK fails
     * here even when {@code info} still reads its header. Leaked clusters alone (exit 3) waste
     * space but do no harm, so they count as clean.
     */
    public CheckResult check(Path image, String format) {
        List<String> args = List.of("check", "-U", "--output=json", "-f", checkFormat(format), image.toString());
        Exec.Result result = Exec.run(argv(args), timeout);
        return switch (result.exitCode()) {
            case 0, 3 -> new CheckResult(true, true, "");
            case 63 -> new CheckResult(false, true, "the format cannot be checked");
            default -> new CheckResult(true, false, brief(result.stderr().isBlank() ? result.stdout() : result.stderr()));
        };
    }

    /** The same tool with another timeout and other limits, e.g. for converting a large image. */
    public QemuImg withLimits(Duration timeout, Limits limits) {
        return new QemuImg(binary, timeout, limits);
    }

    private List<String> infoArgs(Path image, Optional<String> format, boolean chain) {
        List<String> args = new ArrayList<>(List.of("info", "-U", "--output=json"));
        if (chain) {
            args.add("--backing-chain");
        }
        format.ifPresent(f -> {
            args.add("-f");
            args.add(f);
        });
        args.add(image.toString());
        return args;
    }

    private JsonNode json(List<String> args) {
        String out = run(args);
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new QemuException("qemu-img " + args.getFirst() + " printed no JSON: " + out, e);
        }
    }

    private String run(List<String> args) {
        Exec.Result result = Exec.run(argv(args), timeout);
        if (result.exitCode() != 0) {
            throw new QemuException("qemu-img " + String.join(" ", args) + " failed (exit " + result.exitCode() + "): "
                    + brief(result.stderr()));
        }
        return result.stdout();
    }

    /** qemu-img's command line, confined by prlimit where it exists. */
    private List<String> argv(List<String> args) {
        List<String> argv = new ArrayList<>();
        // The stack limit is also the default stack of each thread glibc starts: at the usual 8 MiB,
        // a conversion's pool of I/O threads reserved enough of the address space limit that
        // starting one more failed now and then ("qemu_thread_create: Resource temporarily unavailable").
        prlimit.ifPresent(tool -> argv.addAll(List.of(tool.toString(),
                "--as=" + limits.addressSpaceBytes(),
                "--stack=" + THREAD_STACK_BYTES,
                "--cpu=" + Math.max(1, limits.cpuTime().toSeconds()),
                "--")));
        argv.add(binary);
        argv.addAll(args);
        return argv;
    }

    /** The first lines of an error output: a corrupt image can make qemu-img print thousands. */
    static String brief(String text) {
        String stripped = text.strip();
        List<String> lines = stripped.lines().limit(3).toList();
        String out = String.join(" / ", lines);
        if (out.length() > 600) {
            out = out.substring(0, 600);
        }
        return stripped.lines().count() > lines.size() || out.length() < String.join(" / ", lines).length() ? out + " ..." : out;
    }

    private static String checkFormat(String format) {
        if (format == null || !FORMAT.matcher(format).matches()) {
            throw new IllegalArgumentException("not a qemu-img format name: " + format);
        }
        return format;
    }

    private static void refuseExisting(Path path) {
        if (Files.exists(path)) {
            throw new QemuException("refusing to overwrite existing image " + path);
        }
    }

    private static Optional<Path> findOnPath(String tool) {
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
