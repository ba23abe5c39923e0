package io.nubo.core.filter;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Tag;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The filters one resource type understands, each mapping a resource to the values it has under
 * that name, plus EC2's tag filters ({@code tag:<key>}, {@code tag-key}, {@code tag-value}) when
 * the type has tags. An unknown filter name is {@code InvalidParameterValue}. Immutable and
 * thread-safe.
 */
public final class FilterSet<T> {
    private final Map<String, Function<T, Collection<String>>> attributes;
    private final Function<T, List<Tag>> tags;

    private FilterSet(Map<String, Function<T, Collection<String>>> attributes, Function<T, List<Tag>> tags) {
        this.attributes = Map.copyOf(attributes);
        this.tags = tags;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** The names this set understands, without the tag filters. */
    public Set<String> names() {
        return attributes.keySet();
    }

    /** The items that match every filter, in their order. */
    public List<T> apply(Collection<T> items, List<Filter> filters) {
        Predicate<T> p = compile(filters);
        List<T> out = new ArrayList<>();
        for (T item : items) {
            if (p.test(item)) {
                out.add(item);
            }
        }
        return out;
    }

    /** One predicate for all the filters; throws for an unknown name before anything is read. */
    public Predicate<T> compile(List<Filter> filters) {
        Predicate<T> all = x -> true;
        for (Filter f : filters) {
            all = all.and(predicate(f));
        }
        return all;
    }

    private Predicate<T> predicate(Filter f) {
        String name = f.name();
        Function<T, Collection<String>> attribute = attributes.get(name);
        if (attribute == null && tags != null) {
            if (name.startsWith("tag:") && name.length() > 4) {
                String key = name.substring(4);
                attribute = x -> tags.apply(x).stream().filter(t -> t.key().equals(key)).map(Tag::value).toList();
            } else if (name.equals("tag-key")) {
                attribute = x -> tags.apply(x).stream().map(Tag::key).toList();
            } else if (name.equals("tag-value")) {
                attribute = x -> tags.apply(x).stream().map(Tag::value).toList();
            }
        }
        if (attribute == null) {
            throw invalid(name);
        }
        Function<T, Collection<String>> read = attribute;
        List<String> patterns = f.values();
        return x -> {
            for (String have : read.apply(x)) {
                for (String pattern : patterns) {
                    if (Wildcard.matches(pattern, have)) {
                        return true;
                    }
                }
            }
            return false;
        };
    }

    public static NuboException invalid(String name) {
        return NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The filter '%s' is invalid", name);
    }

    /** Builds a {@link FilterSet}. Not thread-safe. */
    public static final class Builder<T> {
        private final Map<String, Function<T, Collection<String>>> attributes = new LinkedHashMap<>();
        private Function<T, List<Tag>> tags;

        /** A filter on a single-valued attribute; a null value matches nothing. */
        public Builder<T> one(String name, Function<T, String> value) {
            attributes.put(name, x -> {
                String v = value.apply(x);
                return v == null ? List.of() : List.of(v);
            });
            return this;
        }

        /** A filter on an attribute with several values; any of them may match. */
        public Builder<T> many(String name, Function<T, Collection<String>> values) {
            attributes.put(name, values);
            return this;
        }

        public Builder<T> tags(Function<T, List<Tag>> tags) {
            this.tags = tags;
            return this;
        }

        public FilterSet<T> build() {
            return new FilterSet<>(attributes, tags);
        }
    }
}
