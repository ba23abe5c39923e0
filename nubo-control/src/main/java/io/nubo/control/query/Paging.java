package io.nubo.control.query;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Page;
import io.nubo.core.model.PageRequest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * EC2's pagination over a listing that is held in memory: {@code MaxResults} within the action's
 * bounds, and an opaque {@code NextToken} that names the last item returned. Stateless.
 */
public final class Paging {
    private Paging() {
    }

    /** Checks {@code MaxResults} against the action's bounds. */
    public static void checkBounds(PageRequest r, int min, int max) {
        r.maxResults().ifPresent(n -> {
            if (n < min || n > max) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                        "Value (%d) for parameter maxResults is invalid. Expecting a value between %d and %d.", n, min, max);
            }
        });
    }

    /**
     * The requested page of {@code items}, which must be sorted by {@code key} (ascending, by
     * {@link String#compareTo}). Without {@code MaxResults}, everything after the token is returned.
     */
    public static <T> Page<T> page(List<T> items, Function<T, String> key, PageRequest r, int min, int max) {
        checkBounds(r, min, max);
        String after = r.nextToken().map(Paging::decode).orElse(null);
        List<T> rest = new ArrayList<>();
        for (T item : items) {
            if (after == null || key.apply(item).compareTo(after) > 0) {
                rest.add(item);
            }
        }
        int limit = r.maxResults().orElse(Integer.MAX_VALUE);
        if (rest.size() <= limit) {
            return new Page<>(List.copyOf(rest), null);
        }
        List<T> page = List.copyOf(rest.subList(0, limit));
        return new Page<>(page, encode(key.apply(page.get(page.size() - 1))));
    }

    static String encode(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("k:" + key).getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String token) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (!s.startsWith("k:") || s.length() == 2) {
                throw new IllegalArgumentException();
            }
            return s.substring(2);
        } catch (IllegalArgumentException e) {
            throw NuboException.of(ErrorCode.INVALID_PAGINATION_TOKEN, "Invalid pagination token '%s'", token);
        }
    }
}
