package io.nubo.control.compute;

import io.nubo.store.InstanceFilter;

import java.util.Optional;

/** A listing request: a filter, a page size and where to continue. */
public record ListQuery(InstanceFilter filter, int maxResults, Optional<String> nextToken) {
    public static final int DEFAULT_PAGE = 1000;
    public static final int MAX_PAGE = 1000;
}
