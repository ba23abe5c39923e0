package io.nubo.control.images;

import java.util.List;

/** What DescribeImageAttribute can tell its owner about an image. */
public record ImageAttributes(String imageId, String description, boolean isPublic, List<String> sharedWith) {
    public ImageAttributes {
        sharedWith = List.copyOf(sharedWith);
    }

    public List<LaunchPermission> launchPermissions() {
        java.util.ArrayList<LaunchPermission> out = new java.util.ArrayList<>();
        if (isPublic) {
            out.add(LaunchPermission.everyone());
        }
        sharedWith.forEach(a -> out.add(LaunchPermission.account(a)));
        return out;
    }
}
