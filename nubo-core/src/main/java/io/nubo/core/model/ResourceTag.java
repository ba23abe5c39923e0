package io.nubo.core.model;

/** A tag together with the resource that carries it, as DescribeTags lists them. */
public record ResourceTag(String resourceId, ResourceType resourceType, String key, String value) {
}
