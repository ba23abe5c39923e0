package io.nubo.api.portal;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.api.Json;
import io.nubo.api.TestCloud;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Sign-in, sessions, CSRF and the log-in throttle, against a real server with the fake driver. */
class PortalAuthTest {
    static TestCloud cloud;
    static NewAccessKey tenant;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud();
        tenant = cloud.tenant("portal-a");
        TestCloud.Reply u = cloud.call(tenant, "POST", "/api/v1/accounts/" + tenant.accountId() + "/users",
                "{\"email\":\"Alice@Example.com\",\"password\":\"correct horse battery\",\"role\":\"admin\"}");
        assertThat(u.status()).as(u.json().toString()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    record Reply(int status, JsonNode json, HttpResponse<String> raw) {
        String code() {
            return json.path("code").asText();
        }
    }

    static Reply send(String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cloud.api.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().isEmpty() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(r.body());
        return new Reply(r.statusCode(), json, r);
    }

    record Session(String cookie, String csrf) {
    }

    static Session login(String email, String password) throws Exception {
        Reply r = send("POST", "/portal/session", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}", Map.of());
        assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
        String setCookie = r.raw().headers().firstValue("Set-Cookie").orElseThrow();
        return new Session(setCookie.substring(0, setCookie.indexOf(';')), r.json().path("csrfToken").asText());
    }

    @Test
    void aSignedInUserGetsAStrictHttpOnlyCookieAndUsesTheRestApiWithIt() throws Exception {
        Reply r = send("POST", "/portal/session", "{\"email\":\"alice@example.com\",\"password\":\"correct horse battery\"}", Map.of());
        assertThat(r.status()).isEqualTo(201);
        String setCookie = r.raw().headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("nubo_session=").contains("; HttpOnly").contains("; SameSite=Strict").contains("; Path=/");
        assertThat(r.json().path("user").path("accountId").asText()).isEqualTo(tenant.accountId());
        assertThat(r.json().path("operator").asBoolean()).isFalse();
        Session s = new Session(setCookie.substring(0, setCookie.indexOf(';')), r.json().path("csrfToken").asText());

        assertThat(send("GET", "/portal/session", null, Map.of("Cookie", s.cookie())).json().path("csrfToken").asText()).isEqualTo(s.csrf());
        assertThat(send("GET", "/api/v1/instances", null, Map.of("Cookie", s.cookie())).status()).isEqualTo(200);
        Reply created = send("POST", "/api/v1/key-pairs", "{\"keyName\":\"from-portal\"}", Map.of("Cookie", s.cookie(), "X-CSRF-Token", s.csrf()));
        assertThat(created.status()).isEqualTo(201);
        // Operator routes stay closed to a tenant's session.
        assertThat(send("GET", "/api/v1/hosts", null, Map.of("Cookie", s.cookie())).status()).isEqualTo(403);
    }

    @Test
    void aStateChangingRequestWithTheCookieButWithoutTheCsrfTokenIsRejectedAndChangesNothing() throws Exception {
        Session s = login("alice@example.com", "correct horse battery");
        String before = cloud.snapshot();
        Reply noToken = send("POST", "/api/v1/key-pairs", "{\"keyName\":\"csrf-1\"}", Map.of("Cookie", s.cookie()));
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(noToken.code()).isEqualTo("UnauthorizedOperation");
        Reply wrongToken = send("POST", "/api/v1/key-pairs", "{\"keyName\":\"csrf-2\"}", Map.of("Cookie", s.cookie(), "X-CSRF-Token", "x" + s.csrf()));
        assertThat(wrongToken.status()).isEqualTo(403);
        Reply crossSite = send("POST", "/api/v1/key-pairs", "{\"keyName\":\"csrf-3\"}",
                Map.of("Cookie", s.cookie(), "X-CSRF-Token", s.csrf(), "Origin", "https://evil.example"));
        assertThat(crossSite.status()).isEqualTo(403);
        Reply fetchCrossSite = send("POST", "/api/v1/key-pairs", "{\"keyName\":\"csrf-4\"}",
                Map.of("Cookie", s.cookie(), "X-CSRF-Token", s.csrf(), "Sec-Fetch-Site", "cross-site"));
        assertThat(fetchCrossSite.status()).isEqualTo(403);
        Reply crossSiteLogin = send("POST", "/portal/session", "{\"email\":\"alice@example.com\",\"password\":\"correct horse battery\"}",
                Map.of("Origin", "https://evil.example"));
        assertThat(crossSiteLogin.status()).isEqualTo(403);
        assertThat(cloud.snapshot()).isEqualTo(before);
    }

    @Test
    void bearerKeysIgnoreTheCookieAndNeedNoCsrfToken() throws Exception {
        Reply r = send("POST", "/api/v1/key-pairs", "{\"keyName\":\"bearer-1\"}",
                Map.of("Authorization", cloud.bearer(tenant), "Cookie", "nubo_session=garbage"));
        assertThat(r.status()).isEqualTo(201);
        assertThat(send("GET", "/api/v1/instances", null, Map.of("Cookie", "nubo_session=garbage")).status()).isEqualTo(401);
    }

    @Test
    void signingOutEndsTheSession() throws Exception {
        Session s = login("alice@example.com", "correct horse battery");
        assertThat(send("DELETE", "/portal/session", null, Map.of("Cookie", s.cookie())).status()).isEqualTo(403);
        Reply out = send("DELETE", "/portal/session", null, Map.of("Cookie", s.cookie(), "X-CSRF-Token", s.csrf()));
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.raw().headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        assertThat(send("GET", "/api/v1/instances", null, Map.of("Cookie", s.cookie())).status()).isEqualTo(401);
    }

    @Test
    void tenWrongPasswordsInARowBlockEvenTheRightOneForAWhile() throws Exception {
        TestCloud.Reply u = cloud.call(tenant, "POST", "/api/v1/accounts/" + tenant.accountId() + "/users",
                "{\"email\":\"bob@example.com\",\"password\":\"bobs-long-password\"}");
        assertThat(u.status()).isEqualTo(201);
        for (int i = 0; i < 10; i++) {
            Reply r = send("POST", "/portal/session", "{\"email\":\"bob@example.com\",\"password\":\"wrong-" + i + "\"}", Map.of());
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.code()).isEqualTo("AuthFailure");
        }
        Reply blocked = send("POST", "/portal/session", "{\"email\":\"bob@example.com\",\"password\":\"bobs-long-password\"}", Map.of());
        assertThat(blocked.status()).isEqualTo(429);
        assertThat(blocked.code()).isEqualTo("TooManyRequests");
        assertThat(Long.parseLong(blocked.raw().headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 31L);
        // Unknown e-mails answer exactly like wrong passwords.
        Reply unknown = send("POST", "/portal/session", "{\"email\":\"nobody@example.com\",\"password\":\"whatever-it-is\"}", Map.of());
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.json().path("detail").asText()).isEqualTo(
                send("POST", "/portal/session", "{\"email\":\"alice@example.com\",\"password\":\"not-her-password\"}", Map.of())
                        .json().path("detail").asText());
    }

    @Test
    void aTenantManagesItsOwnAccessKeysButCannotSeeOrRevokeAnothersKeys() throws Exception {
        NewAccessKey other = cloud.tenant("portal-b");
        TestCloud.Reply made = cloud.call(tenant, "POST", "/api/v1/accounts/" + tenant.accountId() + "/access-keys", "{}");
        assertThat(made.status()).isEqualTo(201);
        String id = made.json().path("accessKeyId").asText();
        assertThat(cloud.call(other, "POST", "/api/v1/access-keys/" + id + "/revoke", "{}").code()).isEqualTo("InvalidAccessKeyId.NotFound");
        assertThat(cloud.call(other, "POST", "/api/v1/accounts/" + tenant.accountId() + "/access-keys", "{}").code())
                .isEqualTo("InvalidAccountID.NotFound");
        assertThat(cloud.call(tenant, "POST", "/api/v1/access-keys/" + id + "/revoke", "{}").json().path("status").asText()).isEqualTo("revoked");
    }

    @Test
    void aPartnersAdminUserActsAsThePartnerInTheBrowserAndItsMembersDoNot() throws Exception {
        NewAccessKey partner = cloud.tenant("portal-partner");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/accounts/" + partner.accountId() + "/partner", "{}").status()).isEqualTo(200);
        for (String[] u : new String[][]{{"pat@example.com", "admin"}, {"mo@example.com", "member"}}) {
            assertThat(cloud.call(partner, "POST", "/api/v1/accounts/" + partner.accountId() + "/users",
                    "{\"email\":\"" + u[0] + "\",\"password\":\"partner-long-password\",\"role\":\"" + u[1] + "\"}").status()).isEqualTo(201);
        }
        Session pat = login("pat@example.com", "partner-long-password");
        Reply made = send("POST", "/api/v1/partner/customers", "{\"name\":\"portal-customer\"}",
                Map.of("Cookie", pat.cookie(), "X-CSRF-Token", pat.csrf()));
        assertThat(made.status()).as(made.json().toString()).isEqualTo(201);
        String customer = made.json().path("account").path("accountId").asText();
        Reply listed = send("GET", "/api/v1/partner/customers", null, Map.of("Cookie", pat.cookie()));
        assertThat(listed.json().toString()).contains(customer).doesNotContain(tenant.accountId());
        assertThat(send("GET", "/api/v1/accounts/" + tenant.accountId(), null, Map.of("Cookie", pat.cookie())).code())
                .isEqualTo("InvalidAccountID.NotFound");

        Session mo = login("mo@example.com", "partner-long-password");
        Reply denied = send("POST", "/api/v1/partner/customers", "{\"name\":\"not-by-a-member\"}",
                Map.of("Cookie", mo.cookie(), "X-CSRF-Token", mo.csrf()));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.code()).isEqualTo("UnauthorizedOperation");
        assertThat(cloud.call(partner, "GET", "/api/v1/partner/customers", null).json().toString()).doesNotContain("not-by-a-member");
    }

    @Test
    void aMemberCannotCreateUsersButAnAccountAdminCan() throws Exception {
        Session admin = login("alice@example.com", "correct horse battery");
        Reply m = send("POST", "/api/v1/accounts/" + tenant.accountId() + "/users",
                "{\"email\":\"carol@example.com\",\"password\":\"carols-long-password\",\"role\":\"member\"}",
                Map.of("Cookie", admin.cookie(), "X-CSRF-Token", admin.csrf()));
        assertThat(m.status()).as(m.json().toString()).isEqualTo(201);
        Session member = login("carol@example.com", "carols-long-password");
        Reply denied = send("POST", "/api/v1/accounts/" + tenant.accountId() + "/users",
                "{\"email\":\"dave@example.com\",\"password\":\"daves-long-password\"}",
                Map.of("Cookie", member.cookie(), "X-CSRF-Token", member.csrf()));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(cloud.call(tenant, "POST", "/api/v1/accounts/" + tenant.accountId() + "/users",
                "{\"email\":\"erin@example.com\",\"password\":\"short\"}").code()).isEqualTo("InvalidParameterValue");
        assertThat(cloud.call(tenant, "POST", "/api/v1/accounts/" + tenant.accountId() + "/users",
                "{\"email\":\"ALICE@example.com\",\"password\":\"another-long-one\"}").code()).isEqualTo("InvalidUser.Duplicate");
    }

    @Test
    void theEventStreamPushesANewInstancesStateChangesAsTheyHappen() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cloud.api.port() + "/portal/events"))
                .header("Authorization", cloud.bearer(tenant)).header("Accept", "text/event-stream").build();
        HttpResponse<java.io.InputStream> r = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String id = cloud.launch(tenant);
            CompletableFuture<Boolean> sawRunning = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("data:") && line.contains(id) && line.contains("\"to\":\"running\"")) {
                            return true;
                        }
                    }
                    return false;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            assertThat(sawRunning.get(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(send("GET", "/portal/events", null, Map.of()).status()).isEqualTo(401);
    }

}
