package io.nubo.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.nubo.api.Json;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** One REST request as handlers see it: the caller, and typed access to its parameters and body. */
public final class RestCall {
    private final Context ctx;
    private final Principal principal;

    RestCall(Context ctx, Principal principal) {
        this.ctx = ctx;
        this.principal = principal;
    }

    public Principal principal() {
        return principal;
    }

    public String path(String name) {
        return ctx.pathParam(name);
    }

    public Optional<String> query(String name) {
        List<String> values = ctx.queryParams(name);
        if (values.size() > 1) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The parameter %s may be given only once", name);
        }
        return values.stream().findFirst();
    }

    /** Every value of a repeatable parameter; comma-separated values count as several. */
    public List<String> queryList(String name) {
        return ctx.queryParams(name).stream().flatMap(v -> java.util.Arrays.stream(v.split(","))).filter(v -> !v.isEmpty()).toList();
    }

    public int queryInt(String name, int defaultValue) {
        return query(name).map(v -> {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for %s: expected an integer", v, name);
            }
        }).orElse(defaultValue);
    }

    public long queryLong(String name, long defaultValue) {
        return query(name).map(v -> {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for %s: expected an integer", v, name);
            }
        }).orElse(defaultValue);
    }

    /** The raw body, to be read as a stream (an upload): never buffered whole. */
    public java.io.InputStream bodyStream() {
        try {
            return ctx.req().getInputStream();
        } catch (IOException e) {
            throw NuboException.of(ErrorCode.INVALID_REQUEST, "The request body could not be read");
        }
    }

    /** The body's length from its Content-Length header, or -1 when it has none. */
    public long contentLength() {
        String v = ctx.header("Content-Length");
        if (v == null || v.isBlank()) {
            return -1;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw NuboException.of(ErrorCode.INVALID_REQUEST, "Invalid Content-Length");
        }
    }

    /** The JSON body as {@code type}; an empty body reads as {@code {}}. */
    public <T> T body(Class<T> type) {
        byte[] raw = ctx.bodyAsBytes();
        try {
            if (raw.length == 0 || new String(raw, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
                return Json.MAPPER.readValue("{}", type);
            }
            T value = Json.MAPPER.readValue(raw, type);
            if (value == null) {
                throw NuboException.of(ErrorCode.INVALID_REQUEST, "The request body must be a JSON object");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw Problems.fromJson(e);
        } catch (IOException e) {
            throw NuboException.of(ErrorCode.INVALID_REQUEST, "The request body could not be read");
        }
    }
}
