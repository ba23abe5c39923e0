package io.nubo.control.catalog;

import io.nubo.core.filter.FilterSet;
import io.nubo.core.model.InstanceType;

/** The filters DescribeImages and DescribeInstanceTypes understand. Stateless. */
final class CatalogFilters {
    static final FilterSet<ImageDetails> IMAGES = FilterSet.<ImageDetails>builder()
            .one("image-id", d -> d.image().id())
            .one("name", d -> d.image().name())
            .one("description", d -> d.image().description())
            .one("state", d -> d.image().state())
            .one("owner-id", d -> d.image().ownerId())
            .one("owner-alias", d -> d.isSystemImage() ? ImageDetails.SYSTEM_OWNER_ALIAS : null)
            .one("is-public", d -> Boolean.toString(d.image().isPublic()))
            .one("architecture", d -> d.image().architecture())
            .one("image-type", d -> "machine")
            .one("root-device-type", d -> "ebs")
            .one("virtualization-type", d -> "hvm")
            .tags(ImageDetails::tags)
            .build();

    static final FilterSet<InstanceType> TYPES = FilterSet.<InstanceType>builder()
            .one("instance-type", InstanceType::name)
            .one("vcpu-info.default-vcpus", t -> Integer.toString(t.vcpus()))
            .one("memory-info.size-in-mib", t -> Integer.toString(t.memoryMib()))
            .one("current-generation", t -> "true")
            .one("bare-metal", t -> "false")
            .one("processor-info.supported-architecture", t -> "x86_64")
            .one("supported-usage-class", t -> "on-demand")
            .one("supported-root-device-type", t -> "ebs")
            .one("supported-virtualization-type", t -> "hvm")
            .one("instance-storage-supported", t -> "false")
            .one("burstable-performance-supported", t -> Boolean.toString(t.name().startsWith("t")))
            .build();

    private CatalogFilters() {
    }
}
