package io.nubo.core.model;

/** A tag on a resource: a key and a value (possibly empty). Tags belong to the account that set them. */
public record Tag(String key, String value) {
}
