package io.nubo.api.rest;

/** A handler's answer that is not JSON (a CSV export): written as it is, with its content type. */
public record RawBody(String contentType, byte[] body) {
}
