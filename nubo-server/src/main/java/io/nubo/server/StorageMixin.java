package io.nubo.server;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The storage options of {@code nubo up} and {@code nubo server}. */
final class StorageMixin {
    @Option(names = "--shared-pool", description = "directory of the shared storage pool, mounted by every host (default <data-dir>/pools/shared)")
    Path sharedPool;

    @Option(names = "--max-image-size", defaultValue = "1T",
            description = "largest virtual disk size an imported image may have, e.g. 64G or 1T (default ${DEFAULT-VALUE})")
    String maxImageSize;

    @Option(names = "--allow-private-image-urls",
            description = "let tenants import images from loopback, private and link-local addresses (operators always may)")
    boolean allowPrivateImageUrls;

    ServerOptions.StorageOptions options() {
        return new ServerOptions.StorageOptions(Optional.ofNullable(sharedPool).map(p -> p.toAbsolutePath().normalize()),
                bytes(maxImageSize), allowPrivateImageUrls);
    }

    /** A size such as {@code 512M}, {@code 64G}, {@code 1T} or a plain byte count. */
    static long bytes(String size) {
        String s = size.trim().toUpperCase(Locale.ROOT);
        long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            default -> 1;
        };
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n <= 0 || n > Long.MAX_VALUE / unit) {
                throw new NumberFormatException();
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new picocli.CommandLine.TypeConversionException("invalid size '" + size + "': use e.g. 64G or 1T");
        }
    }
}
