package io.nubo.core.model;

import io.nubo.core.Ids;

import java.util.Optional;

/** The kinds of resource that can carry tags, with EC2's name for each and its ID prefix. */
public enum ResourceType {
    INSTANCE("instance", Ids.INSTANCE),
    IMAGE("image", Ids.IMAGE),
    SECURITY_GROUP("security-group", Ids.SECURITY_GROUP),
    VPC("vpc", Ids.VPC),
    SUBNET("subnet", Ids.SUBNET),
    KEY_PAIR("key-pair", Ids.KEY_PAIR),
    VOLUME("volume", Ids.VOLUME),
    SNAPSHOT("snapshot", Ids.SNAPSHOT),
    PLACEMENT_GROUP("placement-group", Ids.PLACEMENT_GROUP);

    private final String apiName;
    private final String prefix;

    ResourceType(String apiName, String prefix) {
        this.apiName = apiName;
        this.prefix = prefix;
    }

    /** EC2's name, as in {@code ResourceType=instance}. */
    public String apiName() {
        return apiName;
    }

    public String prefix() {
        return prefix;
    }

    /** The type whose well-formed IDs {@code id} is one of, if any. */
    public static Optional<ResourceType> ofId(String id) {
        for (ResourceType t : values()) {
            if (Ids.isWellFormed(t.prefix, id)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public static Optional<ResourceType> fromApiName(String name) {
        for (ResourceType t : values()) {
            if (t.apiName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
