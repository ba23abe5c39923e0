package io.nubo.api;

import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad request gets a 4xx with the precise EC2 code, as problem JSON, and changes nothing. */
class BadInputTest {
    static TestCloud cloud;
    static String running;
    static String stopped;
    static String terminated;
    static NewAccessKey small;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud();
        running = cloud.launch(cloud.admin);
        stopped = cloud.launch(cloud.admin);
        terminated = cloud.launch(cloud.admin);
        cloud.awaitState(cloud.admin, running, "running");
        cloud.awaitState(cloud.admin, stopped, "running");
        cloud.awaitState(cloud.admin, terminated, "running");
        cloud.call(cloud.admin, "POST", "/api/v1/instances/" + stopped + "/stop", null);
        cloud.call(cloud.admin, "POST", "/api/v1/instances/" + terminated + "/terminate", null);
        cloud.awaitState(cloud.admin, stopped, "stopped");
        cloud.awaitState(cloud.admin, terminated, "terminated");
        TestCloud.Reply r = cloud.call(cloud.admin, "POST", "/api/v1/accounts", "{\"name\":\"small\",\"instanceQuota\":2}");
        var k = r.json().path("accessKey");
        small = new NewAccessKey(k.path("accessKeyId").asText(), k.path("secretAccessKey").asText(), k.path("accountId").asText());
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static String run(String extra) {
        return "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\"" + extra + "}";
    }

    private static void rejects(NewAccessKey as, String method, String path, String body, int status, String code) {
        String before = cloud.snapshot();
        TestCloud.Reply r = cloud.call(as, method, path, body);
        assertThat(r.status()).as("%s %s %s -> %s", method, path, body, r.json()).isEqualTo(status);
        assertThat(r.code()).as("%s %s %s", method, path, body).isEqualTo(code);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("detail").asText()).isNotBlank();
        assertThat(cloud.snapshot()).as("nothing changed after %s %s", method, path).isEqualTo(before);
    }

    private static void rejects(String method, String path, String body, int status, String code) {
        rejects(cloud.admin, method, path, body, status, code);
    }

    @Test
    void malformedJsonUnknownFieldsAndWrongTypes() {
        rejects("POST", "/api/v1/instances", "{", 400, "InvalidRequest");
        rejects("POST", "/api/v1/instances", "[1,2]", 400, "InvalidRequest");
        rejects("POST", "/api/v1/instances", "null", 400, "InvalidRequest");
        rejects("POST", "/api/v1/instances", run(",\"bogus\":1"), 400, "UnknownParameter");
        rejects("POST", "/api/v1/instances", run(",\"count\":\"2\""), 400, "InvalidParameterValue");
        rejects("POST", "/api/v1/instances", run(",\"count\":1.5"), 400, "InvalidParameterValue");
        rejects("POST", "/api/v1/instances", "{\"imageId\":5}", 400, "InvalidParameterValue");
        rejects("POST", "/api/v1/instances", run(",\"count\":1,\"minCount\":1"), 400, "InvalidParameterCombination");
        rejects("POST", "/api/v1/instances/" + running + "/stop", "{\"force\":\"yes\"}", 400, "InvalidParameterValue");
        rejects("POST", "/api/v1/instances/" + running + "/reboot", "{\"now\":true}", 400, "UnknownParameter");
        rejects("PUT", "/api/v1/instance-types/c9.big", "{\"vcpus\":2}", 400, "MissingParameter");
        rejects("PUT", "/api/v1/instance-types/c9.big", "{\"vcpus\":0,\"memoryMib\":128,\"priceMicrosPerHour\":1}", 400, "InvalidParameterValue");
        rejects("PUT", "/api/v1/instance-types/c9.big", "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1,\"requiresAccelerator\":\"gpu\"}", 400,
                "InvalidParameterValue");
    }

    @Test
    void oversizedBodies() {
        String huge = run(",\"name\":\"" + "x".repeat(100_000) + "\"");
        rejects("POST", "/api/v1/instances", huge, 413, "RequestEntityTooLarge");
    }

    @Test
    void badAndUnknownIds() {
        rejects("GET", "/api/v1/instances/i-nothex", null, 400, "InvalidInstanceID.Malformed");
        rejects("GET", "/api/v1/instances/vol-0123456789abcdef0", null, 400, "InvalidInstanceID.Malformed");
        rejects("GET", "/api/v1/instances/i-0123456789abcdef0", null, 400, "InvalidInstanceID.NotFound");
        rejects("POST", "/api/v1/instances/i-0123456789abcdef0/stop", null, 400, "InvalidInstanceID.NotFound");
        rejects("POST", "/api/v1/instances/i-zz/terminate", null, 400, "InvalidInstanceID.Malformed");
        rejects("GET", "/api/v1/images/ami-12", null, 400, "InvalidAMIID.Malformed");
        rejects("GET", "/api/v1/images/ami-0123456789abcdef0", null, 400, "InvalidAMIID.NotFound");
        rejects("GET", "/api/v1/hosts/h-0123456789abcdef0", null, 400, "InvalidHostID.NotFound");
        rejects("GET", "/api/v1/accounts/999999999999", null, 400, "InvalidAccountID.NotFound");
        rejects("POST", "/api/v1/access-keys/NKAAAAAAAAAAAAAAAAAA/revoke", null, 400, "InvalidAccessKeyId.NotFound");
        rejects("GET", "/api/v1/no-such-thing", null, 404, "NotFound");
    }

    @Test
    void badCountsAndQuota() {
        rejects("POST", "/api/v1/instances", run(",\"count\":0"), 400, "InvalidParameterValue");
        rejects("POST", "/api/v1/instances", run(",\"count\":-1"), 400, "InvalidParameterValue");
        rejects("POST", "/api/v1/instances", run(",\"count\":1001"), 400, "InvalidParameterValue");
        rejects("POST", "/api/v1/instances", run(",\"minCount\":3,\"maxCount\":2"), 400, "InvalidParameterValue");
        rejects(small, "POST", "/api/v1/instances", run(",\"count\":3"), 400, "InstanceLimitExceeded");
    }

    @Test
    void unknownImagesAndTypesAndMissingParameters() {
        rejects("POST", "/api/v1/instances", "{\"instanceType\":\"t3.nano\"}", 400, "MissingParameter");
        rejects("POST", "/api/v1/instances", "{\"imageId\":\"ami-0123456789abcdef0\"}", 400, "InvalidAMIID.NotFound");
        rejects("POST", "/api/v1/instances", "{\"imageId\":\"not-an-ami\"}", 400, "InvalidAMIID.Malformed");
        rejects("POST", "/api/v1/instances", "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t9.huge\"}", 400, "InvalidParameterValue");
        rejects("GET", "/api/v1/instance-types/t9.huge", null, 400, "InvalidParameterValue");
        rejects("POST", "/api/v1/accounts", "{}", 400, "MissingParameter");
    }

    @Test
    void userDataMustBeBase64AndAtMost16KiB() {
        String big = Base64.getEncoder().encodeToString(new byte[16 * 1024 + 1]);
        rejects("POST", "/api/v1/instances", run(",\"userData\":\"" + big + "\""), 400, "InvalidParameterValue");
        rejects("POST", "/api/v1/instances", run(",\"userData\":\"%%%not base64\""), 400, "InvalidParameterValue");
    }

    @Test
    void operationsInTheWrongState() {
        rejects("POST", "/api/v1/instances/" + stopped + "/stop", null, 400, "IncorrectInstanceState");
        rejects("POST", "/api/v1/instances/" + stopped + "/reboot", null, 400, "IncorrectInstanceState");
        rejects("POST", "/api/v1/instances/" + running + "/start", null, 400, "IncorrectInstanceState");
        rejects("POST", "/api/v1/instances/" + terminated + "/start", null, 400, "IncorrectInstanceState");
        rejects("POST", "/api/v1/instances/" + terminated + "/stop", null, 400, "IncorrectInstanceState");
    }

    @Test
    void badQueryParameters() {
        rejects("GET", "/api/v1/instances?colour=red", null, 400, "UnknownParameter");
        rejects("GET", "/api/v1/instances?limit=abc", null, 400, "InvalidParameterValue");
        rejects("GET", "/api/v1/instances?limit=0", null, 400, "InvalidParameterValue");
        rejects("GET", "/api/v1/instances?limit=5000", null, 400, "InvalidParameterValue");
        rejects("GET", "/api/v1/instances?state=sleeping", null, 400, "InvalidParameterValue");
        rejects("GET", "/api/v1/instances?nextToken=garbage!", null, 400, "InvalidPaginationToken");
        rejects("GET", "/api/v1/events?after=-5", null, 400, "InvalidParameterValue");
        rejects("GET", "/api/v1/events?limit=x", null, 400, "InvalidParameterValue");
    }
}
