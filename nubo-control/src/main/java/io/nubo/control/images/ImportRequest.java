package io.nubo.control.images;

import io.nubo.core.model.Tag;

import java.util.List;
import java.util.Optional;

/**
 * An import of an image from a URL or (operators only) a file on the server: exactly one of
 * {@code url} and {@code path}. {@code format} asks for a conversion ({@code qcow2} or
 * {@code raw}); without it the file is kept in the format it has.
 */
public record ImportRequest(String name, Optional<String> description, Optional<String> url, Optional<String> path,
                            Optional<String> format, List<Tag> tags) {
    public ImportRequest {
        tags = List.copyOf(tags);
    }

    @Override
    public String toString() {
        // The URL may carry a token: never print it.
        return "ImportRequest[" + name + (url.isPresent() ? " from a URL" : " from a server file") + format.map(f -> " as " + f).orElse("") + "]";
    }
}
