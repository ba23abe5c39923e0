package io.nubo.control.tags;

import io.nubo.control.placement.PlacementGroupService;
import io.nubo.control.query.NotFound;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.Text;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;
import io.nubo.store.Store;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rules for tags, shared by every service that creates a resource with tags: validation,
 * writing within the caller's transaction, and checking that a tagged resource is the caller's.
 * An instance's {@code Name} tag is its name. Stateless.
 */
public final class Tagging {
    public static final int MAX_TAGS_PER_RESOURCE = 50;
    public static final int MAX_KEY = 128;
    public static final int MAX_VALUE = 256;
    public static final String NAME = "Name";

    private Tagging() {
    }

    /** Checks tags a caller wants to set, before anything is written. */
    public static void validate(List<Tag> tags) {
        if (tags.size() > MAX_TAGS_PER_RESOURCE) {
            throw limit();
        }
        Set<String> keys = new HashSet<>();
        for (Tag t : tags) {
            validateKey(t.key());
            if (t.value() == null || t.value().length() > MAX_VALUE || !Text.printable(t.value())) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                        "Invalid value for tag '%s': tag values are at most %d printable characters", t.key(), MAX_VALUE);
            }
            if (!keys.add(t.key())) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Duplicate tag key '%s' specified", t.key());
            }
        }
    }

    public static void validateKey(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY || !Text.printable(key)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Tag keys must be 1 to %d printable characters", MAX_KEY);
        }
        if (key.toLowerCase(Locale.ROOT).startsWith("aws:")) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Tag keys starting with 'aws:' are reserved for internal use (the key is '%s')", key);
        }
    }

    /** Sets tags on a resource of the account, in {@code s}'s transaction. */
    public static void apply(Store s, String accountId, String resourceId, ResourceType type, List<Tag> tags) {
        for (Tag t : tags) {
            s.tags().put(accountId, resourceId, type, t);
            if (type == ResourceType.INSTANCE && t.key().equals(NAME)) {
                s.instances().setName(resourceId, t.value());
            }
        }
        if (!tags.isEmpty() && s.tags().keys(accountId, resourceId).size() > MAX_TAGS_PER_RESOURCE) {
            throw limit();
        }
    }

    /** Removes a tag (only if its value is {@code value}, when that is not null). */
    public static void remove(Store s, String accountId, String resourceId, ResourceType type, String key, String value) {
        if (s.tags().delete(accountId, resourceId, key, value) && type == ResourceType.INSTANCE && key.equals(NAME)) {
            s.instances().setName(resourceId, null);
        }
    }

    /**
     * The type of a resource the account may tag, after checking it exists and is the account's
     * (public images count). Unknown IDs get the type's {@code NotFound}; others {@code InvalidID}.
     */
    public static ResourceType resolve(Store s, String accountId, String resourceId, Instant instancesVisibleSince) {
        ResourceType type = ResourceType.ofId(resourceId)
                .orElseThrow(() -> NuboException.of(ErrorCode.INVALID_ID, "The ID '%s' is not valid", resourceId));
        boolean exists = switch (type) {
            case INSTANCE -> s.instances().find(resourceId, accountId, instancesVisibleSince).isPresent();
            case IMAGE -> s.images().findVisible(resourceId, accountId).isPresent();
            case SECURITY_GROUP -> s.securityGroups().find(resourceId, accountId).isPresent();
            case VPC -> s.vpcs().find(resourceId, accountId).isPresent();
            case SUBNET -> s.subnets().find(resourceId, accountId).isPresent();
            case KEY_PAIR -> s.keyPairs().findById(accountId, resourceId).isPresent();
            case VOLUME -> s.volumes().find(resourceId, accountId).isPresent();
            case SNAPSHOT -> s.snapshots().find(resourceId, accountId).isPresent();
            case PLACEMENT_GROUP -> s.placementGroups().find(accountId, resourceId).isPresent();
        };
        if (!exists) {
            throw switch (type) {
                case INSTANCE -> NotFound.instances(List.of(resourceId));
                case IMAGE -> NotFound.image(resourceId);
                case SECURITY_GROUP -> NotFound.group(resourceId);
                case VPC -> NotFound.vpc(resourceId);
                case SUBNET -> NotFound.subnet(resourceId);
                case KEY_PAIR -> NotFound.keyPair(resourceId);
                case VOLUME -> NotFound.volume(resourceId);
                case SNAPSHOT -> NotFound.snapshot(resourceId);
                case PLACEMENT_GROUP -> PlacementGroupService.unknown(resourceId);
            };
        }
        return type;
    }

    private static NuboException limit() {
        return NuboException.of(ErrorCode.TAG_LIMIT_EXCEEDED, "A resource can have at most %d tags", MAX_TAGS_PER_RESOURCE);
    }
}
