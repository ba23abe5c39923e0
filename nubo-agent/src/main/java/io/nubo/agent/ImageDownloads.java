package io.nubo.agent;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * How a remote agent gets the file of an image it does not reach on a shared pool: from the
 * server, over the agent protocol's authenticated HTTP ({@code GET /agent/v1/images/{id}}).
 * Implementations are thread-safe.
 */
public interface ImageDownloads {
    /**
     * Opens the image's file from byte {@code from} (0 for all of it; more to resume a download
     * that broke off). The answer may start elsewhere than asked ({@link Download#from()}: 0 when
     * the server sends the whole file; the file's size when {@code from} is at or past its end).
     *
     * @throws IOException when the server cannot be reached or the transfer fails; worth retrying
     * @throws RuntimeException when the server refuses (the host does not need the image, say)
     */
    Download open(String imageId, long from) throws IOException;

    /** A download under way: the file's size and SHA-256 (lower-case hex) as the server states them, and its bytes from {@code from}. */
    record Download(long sizeBytes, String sha256, long from, InputStream body) implements Closeable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }
}
