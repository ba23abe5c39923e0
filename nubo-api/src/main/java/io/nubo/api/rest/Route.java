package io.nubo.api.rest;

import io.javalin.http.HandlerType;

import java.util.List;
import java.util.Optional;

/**
 * One REST operation: the single table of these drives both the router and the OpenAPI
 * document, so that the two always agree.
 *
 * @param body  the JSON body's record type, if the operation takes one
 * @param query the query parameters it accepts; any other is {@code UnknownParameter}
 */
public record Route(HandlerType method, String path, String operationId, String summary, boolean adminOnly,
                    int successStatus, Optional<Class<? extends Record>> body, List<QueryParam> query, RestHandler handler) {

    /** A documented query parameter. */
    public record QueryParam(String name, String type, String description) {
    }

    /** Handles one call; the returned object is the JSON response. */
    @FunctionalInterface
    public interface RestHandler {
        Object handle(RestCall call);
    }
}
