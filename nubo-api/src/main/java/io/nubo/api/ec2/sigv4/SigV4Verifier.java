package io.nubo.api.ec2.sigv4;

import io.nubo.api.ec2.query.FormDecoder;
import io.nubo.control.identity.IdentityService.KeySecret;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Verifies AWS Signature Version 4, in the {@code Authorization} header or in the query string
 * (presigned URLs), for one region and service. The canonical request covers exactly the headers
 * named in {@code SignedHeaders} (which must include {@code host}) and the SHA-256 of the raw body.
 * A header signature is valid for 15 minutes either side of its time; a presigned one until it
 * expires. Signatures are compared in constant time. Every failure is {@code AuthFailure}, except
 * an expired request ({@code RequestExpired}); no message carries a secret. Thread-safe.
 */
public final class SigV4Verifier {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    public static final Duration MAX_SKEW = Duration.ofMinutes(15);
    public static final long MAX_EXPIRES_SECONDS = 7 * 24 * 3600;
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

    private static final Pattern SIGNATURE = Pattern.compile("[0-9a-f]{64}");
    /** Bounds the signing-key cache; it is emptied when it grows past this (one entry per key and day). */
    private static final int MAX_CACHED_KEYS = 10_000;

    private final String region;
    private final String service;
    private final Clock clock;
    // Deriving a signing key takes four HMACs, and a key serves a whole day: derive it once per
    // access key and date, and keep a Mac initialised with it to clone (looking a Mac up and
    // initialising it costs more than the HMAC of a small request). The secret is kept beside it,
    // so a changed secret never uses a stale key.
    private final Map<String, SigningKey> signingKeys = new ConcurrentHashMap<>();

    private record SigningKey(String secret, Mac prototype) {
        Mac mac() {
            try {
                return (Mac) prototype.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public SigV4Verifier(String region, String service, Clock clock) {
        this.region = region;
        this.service = service;
        this.clock = clock;
    }

    /** The parts of a signature, wherever the request carried them. */
    private record Auth(String accessKeyId, String date, String scopeDate, String scopeRegion, String scopeService, String terminator,
                        List<String> signedHeaders, String signature, Optional<Long> expiresSeconds) {
        boolean presigned() {
            return expiresSeconds.isPresent();
        }
    }

    /** The caller who signed {@code r}, or {@code AuthFailure} / {@code RequestExpired}. */
    public Principal verify(SignedRequest r, Function<String, Optional<KeySecret>> keys) {
        Auth auth = parse(r);
        Instant signedAt = parseDate(auth.date());
        checkScope(auth);
        checkTime(auth, signedAt);
        KeySecret key = keys.apply(auth.accessKeyId()).orElseThrow(() -> failure("The access key ID is not known or not active"));
        String scope = auth.scopeDate() + "/" + region + "/" + service + "/aws4_request";
        Mac signer = cachedSigningKey(auth.accessKeyId(), key.secret(), auth.scopeDate()).mac();
        for (String payloadHash : payloadHashes(r, auth)) {
            String canonical = Canonical.request(r, auth.signedHeaders(), payloadHash, auth.presigned());
            String toSign = ALGORITHM + "\n" + auth.date() + "\n" + scope + "\n"
                    + Canonical.sha256Hex(canonical.getBytes(StandardCharsets.UTF_8));
            String expected = Canonical.hex(signer.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
            if (MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), auth.signature().getBytes(StandardCharsets.US_ASCII))) {
                return key.principal();
            }
        }
        throw failure("The request signature we calculated does not match the signature you provided. "
                + "Check your AWS Secret Access Key and signing method.");
    }

    private Auth parse(SignedRequest r) {
        List<String> authorization = r.header("authorization");
        Map<String, String> query = new HashMap<>();
        boolean queryAuth = false;
        for (Map.Entry<String, String> e : FormDecoder.pairs(r.rawQuery())) {
            if (e.getKey().startsWith("X-Amz-")) {
                if (query.put(e.getKey(), e.getValue()) != null) {
                    throw failure("The query parameter " + e.getKey() + " is given more than once");
                }
                queryAuth |= e.getKey().equals("X-Amz-Algorithm");
            }
        }
        if (!authorization.isEmpty() && queryAuth) {
            throw failure("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header");
        }
        if (!authorization.isEmpty()) {
            return fromHeader(r, authorization);
        }
        if (queryAuth) {
            return fromQuery(r, query);
        }
        throw failure("The request is not signed: sign it with AWS Signature Version 4 (" + ALGORITHM + ")");
    }

    private Auth fromHeader(SignedRequest r, List<String> authorization) {
        if (authorization.size() != 1 || !authorization.get(0).startsWith(ALGORITHM + " ")) {
            throw failure("Unsupported Authorization header: use " + ALGORITHM);
        }
        Map<String, String> fields = new HashMap<>();
        for (String part : authorization.get(0).substring(ALGORITHM.length() + 1).split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0 || fields.put(p.substring(0, eq), p.substring(eq + 1)) != null) {
                throw failure("Malformed Authorization header");
            }
        }
        List<String> dates = r.header("x-amz-date");
        if (dates.size() != 1) {
            throw failure("The request must carry exactly one X-Amz-Date header");
        }
        return auth(require(fields, "Credential"), dates.get(0).trim(), require(fields, "SignedHeaders"), require(fields, "Signature"),
                Optional.empty());
    }

    private Auth fromQuery(SignedRequest r, Map<String, String> q) {
        if (!ALGORITHM.equals(q.get("X-Amz-Algorithm"))) {
            throw failure("Unsupported X-Amz-Algorithm: use " + ALGORITHM);
        }
        if (r.body().length > 0) {
            throw failure("A presigned request carries its parameters in the query string, not in the body");
        }
        String expires = require(q, "X-Amz-Expires");
        long seconds;
        try {
            seconds = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            throw failure("X-Amz-Expires must be a number of seconds");
        }
        if (seconds < 1 || seconds > MAX_EXPIRES_SECONDS) {
            throw failure("X-Amz-Expires must be between 1 and " + MAX_EXPIRES_SECONDS + " seconds");
        }
        return auth(require(q, "X-Amz-Credential"), require(q, "X-Amz-Date"), require(q, "X-Amz-SignedHeaders"),
                require(q, "X-Amz-Signature"), Optional.of(seconds));
    }

    private static Auth auth(String credential, String date, String signedHeaders, String signature, Optional<Long> expires) {
        String[] scope = credential.split("/", -1);
        if (scope.length != 5 || scope[0].isEmpty()) {
            throw failure("Malformed credential: expected <access key ID>/<date>/<region>/<service>/aws4_request");
        }
        List<String> headers = Arrays.asList(signedHeaders.split(";", -1));
        Set<String> distinct = new HashSet<>();
        boolean wellFormed = true;
        for (String h : headers) {
            wellFormed &= !h.isEmpty() && h.equals(h.toLowerCase(java.util.Locale.ROOT)) && distinct.add(h);
        }
        if (!wellFormed || !distinct.contains("host")) {
            throw failure("SignedHeaders must be lower-case header names separated by ';', including host");
        }
        if (!SIGNATURE.matcher(signature).matches()) {
            throw failure("The signature must be 64 lower-case hexadecimal digits");
        }
        return new Auth(scope[0], date, scope[1], scope[2], scope[3], scope[4], List.copyOf(headers), signature, expires);
    }

    private void checkScope(Auth a) {
        if (!a.date().startsWith(a.scopeDate()) || a.scopeDate().length() != 8) {
            throw failure("The credential's date (" + a.scopeDate() + ") does not match X-Amz-Date (" + a.date() + ")");
        }
        if (!a.scopeRegion().equals(region)) {
            throw failure("Credential should be scoped to a valid region, not '" + a.scopeRegion() + "'. The region is '" + region + "'");
        }
        if (!a.scopeService().equals(service)) {
            throw failure("Credential should be scoped to the correct service: '" + service + "'");
        }
        if (!a.terminator().equals("aws4_request")) {
            throw failure("Credential should be scoped with a valid terminator: 'aws4_request'");
        }
    }

    private void checkTime(Auth a, Instant signedAt) {
        Instant now = clock.instant();
        if (signedAt.isAfter(now.plus(MAX_SKEW))) {
            throw expired("Request is not yet valid: it is signed for " + signedAt + ", more than 15 minutes ahead of " + now);
        }
        if (a.presigned()) {
            if (now.isAfter(signedAt.plusSeconds(a.expiresSeconds().get()))) {
                throw expired("Request has expired: it was valid until " + signedAt.plusSeconds(a.expiresSeconds().get()));
            }
        } else if (signedAt.isBefore(now.minus(MAX_SKEW))) {
            throw expired("Request has expired: it was signed at " + signedAt + ", more than 15 minutes before " + now);
        }
    }

    /** The payload hashes to try: the body's, or a declared one that matches it, or UNSIGNED-PAYLOAD for presigned URLs. */
    private static List<String> payloadHashes(SignedRequest r, Auth a) {
        String actual = Canonical.sha256Hex(r.body());
        if (a.presigned()) {
            return List.of(actual, UNSIGNED_PAYLOAD);
        }
        List<String> declared = r.header("x-amz-content-sha256");
        if (declared.isEmpty()) {
            return List.of(actual);
        }
        if (declared.size() != 1 || !declared.get(0).trim().equalsIgnoreCase(actual)) {
            throw failure("X-Amz-Content-SHA256 does not match the SHA-256 of the body");
        }
        return List.of(declared.get(0).trim());
    }

    /** {@code 20260501T120000Z}, read by hand: DateTimeFormatter's parse was 2% of a small request's time. */
    private static Instant parseDate(String date) {
        if (date.length() != 16 || date.charAt(8) != 'T' || date.charAt(15) != 'Z') {
            throw failure(DATE_SHAPE);
        }
        try {
            return LocalDateTime.of(digits(date, 0, 4), digits(date, 4, 6), digits(date, 6, 8), digits(date, 9, 11),
                    digits(date, 11, 13), digits(date, 13, 15)).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw failure(DATE_SHAPE);
        }
    }

    private static final String DATE_SHAPE = "X-Amz-Date must look like 20260501T120000Z";

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw failure(DATE_SHAPE);
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private SigningKey cachedSigningKey(String accessKeyId, String secret, String date) {
        String id = accessKeyId + "/" + date;
        SigningKey cached = signingKeys.get(id);
        if (cached != null && cached.secret().equals(secret)) {
            return cached;
        }
        SigningKey derived = new SigningKey(secret, mac(signingKey(secret, date)));
        if (signingKeys.size() >= MAX_CACHED_KEYS) {
            signingKeys.clear();
        }
        signingKeys.put(id, derived);
        return derived;
    }

    private byte[] signingKey(String secret, String date) {
        byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        k = hmac(k, region);
        k = hmac(k, service);
        return hmac(k, "aws4_request");
    }

    private static byte[] hmac(byte[] key, String data) {
        return mac(key).doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String require(Map<String, String> fields, String name) {
        String v = fields.get(name);
        if (v == null || v.isEmpty()) {
            throw failure("The signature is missing its " + name);
        }
        return v;
    }

    private static NuboException failure(String why) {
        return NuboException.of(ErrorCode.AUTH_FAILURE, "%s", why);
    }

    private static NuboException expired(String why) {
        return NuboException.of(ErrorCode.REQUEST_EXPIRED, "%s", why);
    }
}
