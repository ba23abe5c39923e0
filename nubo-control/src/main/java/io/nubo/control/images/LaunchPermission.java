package io.nubo.control.images;

import java.util.Optional;

/** One of EC2's launch permissions: an account ({@code userId}) or everyone ({@code group} {@code all}). */
public record LaunchPermission(Optional<String> userId, Optional<String> group) {
    public static LaunchPermission account(String id) {
        return new LaunchPermission(Optional.of(id), Optional.empty());
    }

    public static LaunchPermission everyone() {
        return new LaunchPermission(Optional.empty(), Optional.of("all"));
    }
}
