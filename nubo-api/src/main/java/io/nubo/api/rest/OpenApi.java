package io.nubo.api.rest;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the OpenAPI 3.1 document from the route table, so that it always matches the routes. */
public final class OpenApi {
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    private OpenApi() {
    }

    public static Map<String, Object> document(List<Route> routes, String version) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.1.0");
        doc.put("info", Map.of("title", "Nubo REST API", "version", version,
                "description", "Authenticate with 'Authorization: Bearer <access-key-id>:<secret>'. Errors are RFC 9457 problem "
                        + "details whose 'code' is the EC2 error code."));
        Map<String, Object> paths = new LinkedHashMap<>();
        Map<String, Object> schemas = new LinkedHashMap<>();
        for (Route r : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.path(), p -> new LinkedHashMap<>());
            item.put(r.method().name().toLowerCase(Locale.ROOT), operation(r, schemas));
        }
        doc.put("paths", paths);
        schemas.put("Problem", Map.of("type", "object", "properties", Map.of(
                "type", Map.of("type", "string"), "title", Map.of("type", "string"), "status", Map.of("type", "integer"),
                "detail", Map.of("type", "string"), "code", Map.of("type", "string"), "requestId", Map.of("type", "string"))));
        doc.put("components", Map.of("schemas", schemas,
                "securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer"))));
        doc.put("security", List.of(Map.of("bearer", List.of())));
        return doc;
    }

    private static Map<String, Object> operation(Route r, Map<String, Object> schemas) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("operationId", r.operationId());
        op.put("summary", r.summary());
        if (r.adminOnly()) {
            op.put("tags", List.of("admin"));
        }
        List<Object> params = new ArrayList<>();
        Matcher m = PATH_PARAM.matcher(r.path());
        while (m.find()) {
            params.add(Map.of("name", m.group(1), "in", "path", "required", true, "schema", Map.of("type", "string")));
        }
        for (Route.QueryParam q : r.query()) {
            params.add(Map.of("name", q.name(), "in", "query", "required", false, "description", q.description(),
                    "schema", Map.of("type", q.type())));
        }
        if (!params.isEmpty()) {
            op.put("parameters", params);
        }
        r.body().ifPresent(b -> {
            schemas.put(b.getSimpleName(), schema(b));
            op.put("requestBody", Map.of("required", false, "content", Map.of("application/json",
                    Map.of("schema", Map.of("$ref", "#/components/schemas/" + b.getSimpleName())))));
        });
        Map<String, Object> problem = Map.of("description", "Error", "content",
                Map.of("application/problem+json", Map.of("schema", Map.of("$ref", "#/components/schemas/Problem"))));
        op.put("responses", Map.of(Integer.toString(r.successStatus()),
                Map.of("description", "Success", "content", Map.of("application/json", Map.of("schema", Map.of()))),
                "default", problem));
        return op;
    }

    private static Map<String, Object> schema(Class<? extends Record> type) {
        Map<String, Object> props = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Class<?> t = c.getType();
            String json = t == String.class ? "string" : t == Boolean.class ? "boolean"
                    : (t == Integer.class || t == Long.class) ? "integer" : t == List.class ? "array" : "object";
            props.put(c.getName(), Map.of("type", json));
        }
        return Map.of("type", "object", "additionalProperties", false, "properties", props);
    }
}
