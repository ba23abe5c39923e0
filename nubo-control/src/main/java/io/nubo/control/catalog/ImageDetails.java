package io.nubo.control.catalog;

import io.nubo.core.model.Image;
import io.nubo.core.model.Tag;

import java.util.List;

/** An image as a caller sees it, with the caller's tags on it. */
public record ImageDetails(Image image, List<Tag> tags) {
    /** The alias EC2 shows as the owner of the installation's own public images. */
    public static final String SYSTEM_OWNER_ALIAS = "nubo";

    public boolean isSystemImage() {
        return image.ownerId() == null;
    }
}
