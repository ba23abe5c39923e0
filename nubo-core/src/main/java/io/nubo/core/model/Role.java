package io.nubo.core.model;

/** A user's role: the operator ({@code ADMIN}) or a tenant's user ({@code MEMBER}). */
public enum Role {
    ADMIN,
    MEMBER
}
