package io.nubo.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.nubo.api.Json;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Maps errors to RFC 9457 problem details, with the stable EC2 error code in {@code code}. */
public final class Problems {
    private Problems() {
    }

    /** Translates a JSON binding failure into the error the caller should see. */
    public static NuboException fromJson(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return NuboException.of(ErrorCode.UNKNOWN_PARAMETER, "The parameter %s is not recognized", u.getPropertyName());
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String field = m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value for parameter %s: expected %s", field,
                    m.getTargetType() == null ? "another type" : simpleType(m.getTargetType()));
        }
        return NuboException.of(ErrorCode.INVALID_REQUEST, "The request body is not valid JSON: %s", e.getOriginalMessage());
    }

    private static String simpleType(Class<?> t) {
        if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
            return "an integer";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        return "an object";
    }

    public static void write(Context ctx, NuboException e, String requestId) {
        ErrorCode code = e.errorCode();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:nubo:error:" + code.code());
        body.put("title", code.code());
        body.put("status", code.httpStatus());
        body.put("detail", e.getMessage());
        body.put("instance", ctx.path());
        body.put("code", code.code());
        body.put("requestId", requestId);
        try {
            ctx.status(code.httpStatus()).contentType("application/problem+json").result(Json.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
