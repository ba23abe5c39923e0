package io.nubo.control.catalog;

import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;

import java.util.List;

/**
 * Which images to describe: by ID; by owner ({@code self}, {@code nubo} for the installation's
 * images, or an account ID); by who may launch them ({@code self}, {@code all}, or an account ID);
 * and by filters.
 */
public record ImageQuery(List<String> ids, List<String> owners, List<String> executableBy, List<Filter> filters, PageRequest page) {
    public ImageQuery {
        ids = List.copyOf(ids);
        owners = List.copyOf(owners);
        executableBy = List.copyOf(executableBy);
        filters = List.copyOf(filters);
    }
}
