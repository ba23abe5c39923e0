package io.nubo.control.images;

import java.util.Optional;

/**
 * An image whose file arrives in the request body: {@code contentLength} bytes whose SHA-256 is
 * {@code sha256} (hex), as the client computed it before sending.
 */
public record UploadRequest(String name, Optional<String> description, Optional<String> format, String sha256,
                            long contentLength) {
}
