package io.nubo.core.model;

import java.util.Optional;

/** Which page of a listing a caller asks for: at most {@code maxResults} items, after {@code nextToken}. */
public record PageRequest(Optional<Integer> maxResults, Optional<String> nextToken) {
    public static PageRequest all() {
        return new PageRequest(Optional.empty(), Optional.empty());
    }
}
