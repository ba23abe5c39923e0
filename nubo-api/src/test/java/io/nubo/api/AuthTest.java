package io.nubo.api;

import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuthTest {
    static TestCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static void failsWith(String authorization, int status, String code) {
        String before = cloud.snapshot();
        TestCloud.Reply r = cloud.raw(authorization, "POST", "/api/v1/instances", "{\"imageId\":\"" + cloud.imageId + "\"}");
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.code()).isEqualTo(code);
        assertThat(cloud.snapshot()).isEqualTo(before);
    }

    @Test
    void missingMalformedOrWrongCredentialsAreAuthFailures() {
        failsWith(null, 401, "AuthFailure");
        failsWith("Basic YWxhZGRpbjpvcGVuc2VzYW1l", 401, "AuthFailure");
        failsWith("Bearer nocolon", 401, "AuthFailure");
        failsWith("Bearer " + cloud.admin.accessKeyId() + ":", 401, "AuthFailure");
        failsWith("Bearer " + cloud.admin.accessKeyId() + ":wrong", 401, "AuthFailure");
        failsWith("Bearer NKAAAAAAAAAAAAAAAAAA:" + cloud.admin.secretAccessKey(), 401, "AuthFailure");
    }

    @Test
    void aRevokedKeyStopsWorkingAtOnce() {
        NewAccessKey k = cloud.tenant("revokee");
        assertThat(cloud.call(k, "GET", "/api/v1/instances", null).status()).isEqualTo(200);
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/access-keys/" + k.accessKeyId() + "/revoke", null).status()).isEqualTo(200);
        failsWith(cloud.bearer(k), 401, "AuthFailure");
    }

    @Test
    void aDisabledAccountsKeysStopWorkingAndComeBackWhenEnabled() {
        NewAccessKey k = cloud.tenant("disablee");
        TestCloud.Reply second = cloud.call(cloud.admin, "POST", "/api/v1/accounts/" + k.accountId() + "/access-keys", null);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.json().path("secretAccessKey").asText()).hasSize(40);
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/accounts/" + k.accountId() + "/disable", null).status()).isEqualTo(200);
        failsWith(cloud.bearer(k), 401, "AuthFailure");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/accounts/" + k.accountId() + "/enable", null).status()).isEqualTo(200);
        assertThat(cloud.call(k, "GET", "/api/v1/instances", null).status()).isEqualTo(200);
    }

    @Test
    void tenantsCannotUseOperatorRoutes() {
        NewAccessKey k = cloud.tenant("plain");
        String before = cloud.snapshot();
        for (String[] call : new String[][]{{"GET", "/api/v1/hosts"}, {"GET", "/api/v1/accounts"}, {"POST", "/api/v1/accounts"},
                {"PUT", "/api/v1/instance-types/t3.nano"}, {"POST", "/api/v1/accounts/" + k.accountId() + "/disable"}}) {
            TestCloud.Reply r = cloud.call(k, call[0], call[1], "{}");
            assertThat(r.status()).as("%s %s", call[0], call[1]).isEqualTo(403);
            assertThat(r.code()).isEqualTo("UnauthorizedOperation");
        }
        assertThat(cloud.snapshot()).isEqualTo(before);
    }

    @Test
    void anAdminCannotDisableTheirOwnAccount() {
        TestCloud.Reply r = cloud.call(cloud.admin, "POST", "/api/v1/accounts/" + cloud.admin.accountId() + "/disable", null);
        assertThat(r.code()).isEqualTo("InvalidParameterValue");
    }
}
