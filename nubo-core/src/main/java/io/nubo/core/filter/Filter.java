package io.nubo.core.filter;

import java.util.List;

/**
 * One EC2-style filter: a name such as {@code instance-state-name} or {@code tag:Name}, and the
 * values it accepts. A resource matches when any value matches (OR); a request's filters all
 * have to match (AND). Values may hold {@code *} and {@code ?} wildcards, escaped with {@code \}.
 */
public record Filter(String name, List<String> values) {
    public Filter {
        values = List.copyOf(values);
    }
}
