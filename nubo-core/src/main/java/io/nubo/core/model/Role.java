package io.nubo.core.model;

/**
 * An account's role: the operator ({@code ADMIN}), a tenant ({@code MEMBER}), or a reseller
 * ({@code PARTNER}), a tenant that also creates, bills and manages customer accounts of its own.
 */
public enum Role {
    ADMIN,
    MEMBER,
    PARTNER
}
