package io.nubo.core.model;

import java.util.List;
import java.util.Optional;

/** One page of a listing; {@code nextToken} is present when there is more. */
public record Page<T>(List<T> items, String nextToken) {
    public Optional<String> next() {
        return Optional.ofNullable(nextToken);
    }
}
