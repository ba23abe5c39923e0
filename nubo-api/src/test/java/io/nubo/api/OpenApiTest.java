package io.nubo.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class OpenApiTest {
    @Test
    void theServedDocumentDescribesExactlyTheRoutesTheServerHas() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            TestCloud.Reply doc = cloud.raw(null, "GET", "/api/v1/openapi.json", null);
            assertThat(doc.status()).isEqualTo(200);
            assertThat(doc.json().path("openapi").asText()).startsWith("3.");
            Set<String> documented = new HashSet<>();
            doc.json().path("paths").fields().forEachRemaining(p ->
                    p.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey())));
            Set<String> served = new HashSet<>();
            for (String r : cloud.api.registeredRoutes()) {
                if (r.contains(" /api/v1/") && !r.endsWith("/openapi.json")) {
                    served.add(r);
                }
            }
            assertThat(documented).isEqualTo(served);
            assertThat(served).hasSizeGreaterThan(20);
            JsonNode run = doc.json().path("paths").path("/api/v1/instances").path("post");
            assertThat(run.path("requestBody").toString()).contains("RunInstances");
            assertThat(doc.json().path("components").path("schemas").path("RunInstances").path("properties").has("imageId")).isTrue();
        }
    }
}
