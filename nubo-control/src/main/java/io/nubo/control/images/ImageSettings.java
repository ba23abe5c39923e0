package io.nubo.control.images;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How images are imported. Immutable.
 *
 * @param sharedPool        the shared pool's directory on this server, where imported images go
 * @param maxVirtualSize    the largest disk an image may describe; a larger one is refused
 * @param maxSourceBytes    the largest file that may be downloaded or uploaded
 * @param allowPrivateUrls  whether tenants may import from loopback, private and link-local
 *                          addresses (operators always may); off, so that an import cannot be
 *                          used to reach the hoster's internal services
 * @param lease             how long a server holds an import before another may take it over
 * @param maxAttempts       how often an import is tried before it fails (a crash or a network
 *                          error costs one attempt; a refused image fails at once)
 * @param workers           how many imports one server runs at a time
 * @param stallTimeout      a download that moves no byte for this long is given up (and retried)
 * @param incomingMaxAge    an upload file nobody has written to for this long is an orphan
 */
public record ImageSettings(Path sharedPool, long maxVirtualSize, long maxSourceBytes, boolean allowPrivateUrls, Duration lease,
                           int maxAttempts, int workers, Duration stallTimeout, Duration incomingMaxAge) {
    public static final long GIB = 1L << 30;

    public ImageSettings {
        if (maxVirtualSize <= 0 || maxSourceBytes <= 0 || maxAttempts < 1 || workers < 1) {
            throw new IllegalArgumentException("image settings must be positive");
        }
    }

    /** The all-in-one defaults: the shared pool in the data dir, disks up to 1 TiB. */
    public static ImageSettings defaults(Path dataDir) {
        return new ImageSettings(dataDir.resolve("pools").resolve("shared"), 1024 * GIB, 1024 * GIB, false,
                Duration.ofSeconds(30), 3, 2, Duration.ofSeconds(60), Duration.ofMinutes(10));
    }

    public ImageSettings withMaxVirtualSize(long bytes) {
        return new ImageSettings(sharedPool, bytes, maxSourceBytes, allowPrivateUrls, lease, maxAttempts, workers, stallTimeout,
                incomingMaxAge);
    }

    public ImageSettings withPrivateUrls(boolean allow) {
        return new ImageSettings(sharedPool, maxVirtualSize, maxSourceBytes, allow, lease, maxAttempts, workers, stallTimeout,
                incomingMaxAge);
    }

    public ImageSettings withLease(Duration lease) {
        return new ImageSettings(sharedPool, maxVirtualSize, maxSourceBytes, allowPrivateUrls, lease, maxAttempts, workers, stallTimeout,
                incomingMaxAge);
    }
}
