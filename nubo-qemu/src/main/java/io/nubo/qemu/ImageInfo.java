package io.nubo.qemu;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code qemu-img info} says about one image file. Immutable.
 *
 * @param filename            the file name as qemu-img reports it (relative names stay relative)
 * @param format              the real format, e.g. {@code qcow2}, {@code raw}, {@code vpc}
 * @param virtualSize         the disk size the guest sees, in bytes
 * @param actualSize          bytes the file takes on the host; 0 when qemu-img does not say
 * @param backingFilename     the backing file as written in the image header, possibly relative
 * @param fullBackingFilename the backing file resolved against the image's directory
 * @param backingFormat       the backing file's format as recorded in the header
 * @param encrypted           whether the image is encrypted (Nubo cannot boot those without a key)
 * @param dataFile            a qcow2's external data file, where its clusters live instead of in the image
 * @param createType          a VMDK's subformat ({@code monolithicSparse}, {@code monolithicFlat}, ...)
 * @param extentFiles         the files a VMDK's extents read from (the image itself for a monolithic one)
 */
public record ImageInfo(String filename, String format, long virtualSize, long actualSize,
                        Optional<String> backingFilename, Optional<String> fullBackingFilename,
                        Optional<String> backingFormat, boolean encrypted,
                        Optional<String> dataFile, Optional<String> createType, List<String> extentFiles) {

    public ImageInfo {
        extentFiles = List.copyOf(extentFiles);
    }

    /**
     * True when the image refers to another file. An uploaded image must not: a crafted header
     * could name any host file as its backing file, and the VM would read it.
     */
    public boolean hasBackingFile() {
        return backingFilename.isPresent();
    }

    static ImageInfo fromJson(JsonNode node) {
        JsonNode specific = node.path("format-specific").path("data");
        List<String> extents = new ArrayList<>();
        specific.path("extents").forEach(e -> extents.add(e.path("filename").asText()));
        return new ImageInfo(
                node.path("filename").asText(),
                node.path("format").asText(),
                node.path("virtual-size").asLong(),
                node.path("actual-size").asLong(0),
                text(node, "backing-filename"),
                text(node, "full-backing-filename"),
                text(node, "backing-filename-format"),
                node.path("encrypted").asBoolean(false),
                text(specific, "data-file"),
                text(specific, "create-type"),
                extents);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.isMissingNode() ? Optional.empty() : Optional.of(value.asText());
    }
}
