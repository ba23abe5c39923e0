package io.nubo.api.ec2;

import io.nubo.api.ec2.sigv4.SigV4Verifier;
import io.nubo.api.ec2.sigv4.SignedRequest;
import io.nubo.control.identity.IdentityService.KeySecret;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SigV4 verifier against the AWS signing test suite (aws-c-auth's
 * {@code tests/aws-signing-test-suite/v4}), whose requests are reconstructed in
 * {@code src/test/resources/sigv4} with botocore (see make-fixtures.py there), and against
 * tampering, expiry and wrong scopes.
 */
class Ec2SigV4Test {
    static final Instant SUITE_TIME = Instant.parse("2015-08-30T12:36:00Z");
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    static final Principal SIGNER = new Principal("123456789012", Role.MEMBER, "AKIDEXAMPLE");
    static final Function<String, Optional<KeySecret>> KEYS = id -> id.equals("AKIDEXAMPLE")
            ? Optional.of(new KeySecret(SIGNER, SECRET)) : Optional.empty();
    static final List<String> VECTORS = List.of("get-vanilla", "get-vanilla-query-order-key-case", "get-vanilla-query-unreserved",
            "get-vanilla-utf8-query", "get-vanilla-empty-query-key", "get-header-key-duplicate", "get-header-value-order",
            "get-header-value-trim", "get-unreserved", "get-slashes", "get-relative-relative", "post-vanilla", "post-vanilla-query",
            "post-header-value-case", "post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters", "query-get-vanilla",
            "query-get-vanilla-query-order-key-case", "query-get-vanilla-utf8-query", "query-post-x-www-form-urlencoded",
            "ec2-describe-instances");
    /** Signatures published in the suite itself, which the reconstructed requests must carry. */
    static final Map<String, String> PUBLISHED = Map.of(
            "get-vanilla", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            "get-vanilla-query-order-key-case", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
            "get-vanilla-utf8-query", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
            "get-header-key-duplicate", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
            "query-get-vanilla-query-order-key-case", "86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5");

    /** A fixture: the request, and the region and service it is signed for. */
    record Vector(String name, SignedRequest request, String region, String service, boolean presigned) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Vector> vectors() {
        return VECTORS.stream().map(Ec2SigV4Test::load);
    }

    static Vector load(String name) {
        String text;
        try (InputStream in = Ec2SigV4Test.class.getResourceAsStream("/sigv4/" + name + ".txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String[] headAndBody = text.substring(text.indexOf('\n') + 1).split("\n\n", 2);
        String[] lines = headAndBody[0].split("\n");
        String[] requestLine = lines[0].split(" ");
        String target = requestLine[1];
        int q = target.indexOf('?');
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon), k -> new ArrayList<>()).add(lines[i].substring(colon + 1));
        }
        SignedRequest r = new SignedRequest(requestLine[0], q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1),
                headers, headAndBody.length > 1 ? headAndBody[1].getBytes(StandardCharsets.UTF_8) : new byte[0]);
        Matcher scope = Pattern.compile("AKIDEXAMPLE(?:/|%2F)20150830(?:/|%2F)([a-z0-9-]+)(?:/|%2F)([a-z0-9]+)").matcher(text);
        assertThat(scope.find()).isTrue();
        return new Vector(name, r, scope.group(1), scope.group(2), target.contains("X-Amz-Signature="));
    }

    static SigV4Verifier verifier(Vector v, Instant now) {
        return new SigV4Verifier(v.region(), v.service(), Clock.fixed(now, ZoneOffset.UTC));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void everySuiteRequestVerifiesAsItsSigner(Vector v) {
        assertThat(verifier(v, SUITE_TIME).verify(v.request(), KEYS)).isEqualTo(SIGNER);
    }

    @Test
    void theReconstructedRequestsCarryTheSuitesPublishedSignatures() {
        PUBLISHED.forEach((name, signature) -> {
            SignedRequest r = load(name).request();
            String all = r.rawQuery() + String.join(",", r.header("authorization"));
            assertThat(all).as(name).contains("Signature=" + signature);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void aWrongSecretOrAnUnknownKeyIsAnAuthFailure(Vector v) {
        Function<String, Optional<KeySecret>> wrong = id -> Optional.of(new KeySecret(SIGNER, SECRET.replace('w', 'W')));
        assertCode(() -> verifier(v, SUITE_TIME).verify(v.request(), wrong), "AuthFailure");
        assertCode(() -> verifier(v, SUITE_TIME).verify(v.request(), id -> Optional.empty()), "AuthFailure");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void anyChangeToWhatIsSignedIsAnAuthFailure(Vector v) {
        SignedRequest r = v.request();
        SigV4Verifier verifier = verifier(v, SUITE_TIME);
        assertCode(() -> verifier.verify(new SignedRequest(r.method().equals("GET") ? "POST" : "GET", r.rawPath(), r.rawQuery(), r.headers(),
                r.body()), KEYS), "AuthFailure");
        assertCode(() -> verifier.verify(new SignedRequest(r.method(), r.rawPath(), r.rawQuery(), withHeader(r, "host", "example.org"),
                r.body()), KEYS), "AuthFailure");
        String tamperedQuery = r.rawQuery().isEmpty() ? "Extra=1" : r.rawQuery().replaceFirst("=", "=x");
        assertCode(() -> verifier.verify(new SignedRequest(r.method(), r.rawPath(), tamperedQuery, r.headers(), r.body()), KEYS),
                "AuthFailure");
        if (!v.presigned()) {
            byte[] body = (new String(r.body(), StandardCharsets.UTF_8) + "&Injected=1").getBytes(StandardCharsets.UTF_8);
            assertCode(() -> verifier.verify(new SignedRequest(r.method(), r.rawPath(), r.rawQuery(), r.headers(), body), KEYS),
                    "AuthFailure");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void signaturesHold15MinutesEitherSideOrUntilAPresignedUrlExpires(Vector v) {
        Duration validity = v.presigned() ? Duration.ofSeconds(3600) : Duration.ofMinutes(15);
        assertThat(verifier(v, SUITE_TIME.plus(validity)).verify(v.request(), KEYS)).isEqualTo(SIGNER);
        assertThat(verifier(v, SUITE_TIME.minus(Duration.ofMinutes(15))).verify(v.request(), KEYS)).isEqualTo(SIGNER);
        assertCode(() -> verifier(v, SUITE_TIME.plus(validity).plusSeconds(1)).verify(v.request(), KEYS), "RequestExpired");
        assertCode(() -> verifier(v, SUITE_TIME.minus(Duration.ofMinutes(16))).verify(v.request(), KEYS), "RequestExpired");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void theScopeMustNameThisRegionAndService(Vector v) {
        assertCode(() -> new SigV4Verifier("nubo-2", v.service(), Clock.fixed(SUITE_TIME, ZoneOffset.UTC)).verify(v.request(), KEYS),
                "AuthFailure");
        assertCode(() -> new SigV4Verifier(v.region(), "s3", Clock.fixed(SUITE_TIME, ZoneOffset.UTC)).verify(v.request(), KEYS),
                "AuthFailure");
    }

    @Test
    void malformedOrMissingAuthenticationIsAnAuthFailure() {
        Vector v = load("get-vanilla");
        SigV4Verifier verifier = verifier(v, SUITE_TIME);
        String good = v.request().header("authorization").get(0);
        for (String bad : List.of("", "AWS AKIDEXAMPLE:abc", good.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"),
                good.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date"), good.replace("Credential=", "Cred="),
                good.replace("/aws4_request", "/aws5_request"), good.replace("20150830/", "20150831/"), good + ", Signature=00",
                good.substring(0, good.length() - 2))) {
            assertCode(() -> verifier.verify(new SignedRequest("GET", "/", "", withHeader(v.request(), "authorization", bad),
                    new byte[0]), KEYS), "AuthFailure");
        }
        assertCode(() -> verifier.verify(new SignedRequest("GET", "/", "", Map.of("Host", List.of("example.amazonaws.com")),
                new byte[0]), KEYS), "AuthFailure");
        Map<String, List<String>> noDate = new LinkedHashMap<>(v.request().headers());
        noDate.remove("x-amz-date");
        assertCode(() -> verifier.verify(new SignedRequest("GET", "/", "", noDate, new byte[0]), KEYS), "AuthFailure");
    }

    @Test
    void aPresignedRequestMayNotCarryABodyNorAlsoAnAuthorizationHeader() {
        Vector v = load("query-get-vanilla");
        SignedRequest r = v.request();
        SigV4Verifier verifier = verifier(v, SUITE_TIME);
        assertCode(() -> verifier.verify(new SignedRequest(r.method(), r.rawPath(), r.rawQuery(), r.headers(),
                "Action=TerminateInstances".getBytes(StandardCharsets.UTF_8)), KEYS), "AuthFailure");
        Vector h = load("get-vanilla");
        assertCode(() -> verifier.verify(new SignedRequest(r.method(), r.rawPath(), r.rawQuery(),
                withHeader(r, "authorization", h.request().header("authorization").get(0)), r.body()), KEYS), "AuthFailure");
        assertCode(() -> verifier.verify(new SignedRequest(r.method(), r.rawPath(), r.rawQuery().replace("X-Amz-Expires=3600",
                "X-Amz-Expires=604801"), r.headers(), r.body()), KEYS), "AuthFailure");
    }

    @Test
    void aDeclaredPayloadHashMustBeTheBodysHash() {
        Vector v = load("post-x-www-form-urlencoded");
        SignedRequest r = v.request();
        assertCode(() -> verifier(v, SUITE_TIME).verify(new SignedRequest(r.method(), r.rawPath(), r.rawQuery(),
                withHeader(r, "x-amz-content-sha256", "UNSIGNED-PAYLOAD"), r.body()), KEYS), "AuthFailure");
    }

    static Map<String, List<String>> withHeader(SignedRequest r, String name, String value) {
        Map<String, List<String>> h = new LinkedHashMap<>(r.headers());
        h.put(name, List.of(value));
        return h;
    }

    static void assertCode(Runnable call, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(NuboException.class,
                e -> assertThat(e.errorCode().code()).as(e.getMessage()).isEqualTo(code));
    }
}
